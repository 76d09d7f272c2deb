import type {
  CommsMessageRecord,
  CommsOperationRecord,
  CommsAttemptRecord,
} from '@missive/read-models';
import { infoUrlOf } from './commsError';
import { MESSAGE_PREFIX, OPERATION_PREFIX } from './commsPatterns';

/** Comms times as its documented examples show them: `2023-08-24T14:15:22Z`, whole seconds in UTC. */
export function commsTime(iso: string): string;
export function commsTime(iso: string | null): string | null;
export function commsTime(iso: string | null): string | null {
  return iso === null ? null : `${iso.slice(0, 19)}Z`;
}

export function operationUri(base: string, operationId: string): string {
  return `${base}/v1/Messages/Operations/${OPERATION_PREFIX}${operationId}`;
}

export function messageUri(base: string, messageId: string): string {
  return `${base}/v1/Messages/${MESSAGE_PREFIX}${messageId}`;
}

/** Delivery errors carry the transport's code; a non-numeric one is Twilio's 30008 "Unknown error". */
function errorJson(error: CommsAttemptRecord['error']) {
  if (!error) return null;
  const code = /^\d{1,9}$/.test(error.code) ? Number(error.code) : 30008;
  return { code, message: error.message, infoUrl: infoUrlOf(code), context: null };
}

/** MessageMetadata for lists; with `full`, the Message of Fetch (content and attempts). */
export function messageJson(message: CommsMessageRecord, base: string, full: boolean) {
  const json: Record<string, unknown> = {
    id: `${MESSAGE_PREFIX}${message.id}`,
    from: message.from,
    to: [message.to],
    status: message.status,
    related: message.operationId
      ? [
          {
            name: 'OPERATION',
            id: `${OPERATION_PREFIX}${message.operationId}`,
            uri: operationUri(base, message.operationId),
          },
        ]
      : [],
    tags: message.tags,
    scheduledFor: commsTime(message.scheduledFor),
    createdAt: commsTime(message.createdAt),
    updatedAt: commsTime(message.updatedAt),
    deletedAt: null,
  };
  if (!full) return json;
  const content: Record<string, unknown> = {};
  if (message.text !== null) content['text'] = message.text;
  if (message.media.length > 0) content['media'] = message.media.map((url) => ({ url }));
  json['content'] = content;
  json['attempts'] = message.attempts.map((attempt) => {
    const error = errorJson(attempt.error);
    return {
      from: message.from,
      to: message.to,
      status: attempt.status,
      attemptedAt: commsTime(attempt.attemptedAt),
      infoUrl: error?.infoUrl ?? null,
      error,
    };
  });
  return json;
}

export function operationJson(operation: CommsOperationRecord) {
  return {
    id: `${OPERATION_PREFIX}${operation.id}`,
    status: operation.status,
    stats: operation.stats,
    createdAt: commsTime(operation.createdAt),
    updatedAt: commsTime(operation.updatedAt),
  };
}
