import {
  commsRecordExpiresAt,
  commsStatus,
  outboundStateAfter,
  type CommsStatus,
  type MessageOperationEvent,
  type OutboundEvent,
} from '@missive/domain';
import type { RecordedEvent } from '@missive/event-store';
import type { Projection } from '@missive/projections';
import type { Transaction } from 'kysely';
import type { SchemalessTransaction } from '../schemaless';
import { COMMS_STATUS_COUNTERS, COUNTER_OF } from './commsCounters';
import {
  loadMessages,
  loadOperations,
  writeMessages,
  writeOperations,
  type WorkingMessage,
  type WorkingOperation,
} from './commsRows';
import type { CommsDatabase } from './commsTables';
import { migrateCommsTables } from './migrateCommsTables';

/**
 * Comms messages (every outbound message of kind `comms`) and their operations, with stats
 * kept as running per-status counts: each status change moves one count from the old status
 * to the new. A batch is applied in memory over the rows it touches (loaded once) and written
 * back with a few multi-row statements, so a 10,000-recipient send projects in a handful of
 * round trips rather than one per event.
 */
export const commsProjection: Projection = {
  name: 'comms',
  version: 1,
  filter: { streamPrefixes: ['outbound-', 'operation-'] },

  migrate: migrateCommsTables,

  async apply(events: readonly RecordedEvent[], trx: SchemalessTransaction) {
    const tx = trx as Transaction<CommsDatabase>;
    const messages = await loadMessages(tx, events);
    const operations = await loadOperations(tx, events, messages);

    for (const recorded of events) {
      const event = { type: recorded.type, data: recorded.data } as
        OutboundEvent | MessageOperationEvent;
      switch (event.type) {
        case 'MessageOperationCreated':
          createOperation(operations, event.data);
          break;
        case 'MessageOperationClaimed':
          break; // who runs the fan-out is not shown
        case 'MessageOperationProcessed': {
          const op = operations.get(event.data.operationId);
          if (!op) break;
          op.row.processed_at = event.data.processedAt;
          op.row.updated_at = later(op.row.updated_at, event.data.processedAt);
          op.dirty = true;
          break;
        }
        case 'OutboundMessageCreated': {
          if (event.data.kind !== 'comms' || messages.has(event.data.outboundId)) break;
          const message = newMessage(event);
          messages.set(message.row.id, message);
          const op = message.row.operation_id ? operations.get(message.row.operation_id) : null;
          if (op) {
            op.row[COUNTER_OF[message.row.status as CommsStatus]] += 1;
            op.dirty = true;
          }
          break;
        }
        default: {
          const message = messages.get(event.data.outboundId);
          if (!message) break; // not a Comms message, or already purged
          const op = message.row.operation_id ? operations.get(message.row.operation_id) : null;
          const before = message.row.status as CommsStatus;
          evolveMessage(message, event);
          const after = message.row.status as CommsStatus;
          if (op) {
            if (before !== after) {
              op.row[COUNTER_OF[before]] -= 1;
              op.row[COUNTER_OF[after]] += 1;
            }
            if (event.type === 'OutboundDispatchStarted') op.row.attempts += 1;
            op.row.updated_at = later(op.row.updated_at, message.row.updated_at);
            op.dirty = true;
          }
        }
      }
    }
    await writeMessages(tx, messages);
    await writeOperations(tx, operations);
  },
};

function later(a: string, b: string): string {
  return a > b ? a : b;
}

function createOperation(
  operations: Map<string, WorkingOperation>,
  data: Extract<MessageOperationEvent, { type: 'MessageOperationCreated' }>['data'],
): void {
  if (operations.has(data.operationId)) return;
  operations.set(data.operationId, {
    row: {
      id: data.operationId,
      status: 'PROCESSING',
      scheduled_for: data.scheduledFor,
      processed_at: null,
      created_at: data.createdAt,
      updated_at: data.createdAt,
      expires_at: commsRecordExpiresAt(data),
      // The Comms API counts an unaddressable recipient in `total`: total is the
      // recipients' messages whether or not they could be created.
      total: data.recipients,
      recipients: data.recipients,
      attempts: 0,
      unaddressable: data.unaddressable,
      ...(Object.fromEntries(COMMS_STATUS_COUNTERS.map((c) => [c, 0])) as Record<
        (typeof COMMS_STATUS_COUNTERS)[number],
        number
      >),
    },
    fresh: true,
    dirty: true,
  });
}

function newMessage(
  event: Extract<OutboundEvent, { type: 'OutboundMessageCreated' }>,
): WorkingMessage {
  const data = event.data;
  const whatsapp = data.channel === 'whatsapp';
  return {
    row: {
      id: data.outboundId,
      operation_id: data.operationId,
      status: commsStatus(outboundStateAfter(event)!),
      to_channel: whatsapp ? 'WHATSAPP' : 'PHONE',
      to_address: data.to,
      // Only SMS (PHONE) and WhatsApp senders exist here, so the sender channel follows.
      from_channel: whatsapp ? 'WHATSAPP' : 'SMS',
      from_address: data.from,
      profile_id: null,
      session_id: null,
      text: data.body === '' ? null : data.body,
      media: JSON.stringify(data.media),
      tags: JSON.stringify(data.tags),
      attempts: '[]',
      provider_message_id: null,
      scheduled_for: data.scheduledFor,
      created_at: data.createdAt,
      updated_at: data.createdAt,
      expires_at: commsRecordExpiresAt(data),
    },
    attempts: [],
    fresh: true,
    dirty: true,
  };
}

function eventTime(event: Exclude<OutboundEvent, { type: 'OutboundMessageCreated' }>): string {
  switch (event.type) {
    case 'OutboundMessageQueued':
      return event.data.queuedAt;
    case 'OutboundDispatchStarted':
      return event.data.startedAt;
    case 'OutboundMessageSent':
      return event.data.sentAt;
    case 'OutboundAttemptFailed':
      return event.data.failedAt;
    case 'OutboundMessageBounced':
      return event.data.bouncedAt;
    case 'OutboundMessageDelivered':
      return event.data.deliveredAt;
    case 'OutboundMessageUndelivered':
      return event.data.at;
    case 'OutboundMessageCancelled':
      return event.data.cancelledAt;
  }
}

/** The message's status follows the domain's own mapping; its last attempt follows receipts. */
function evolveMessage(
  message: WorkingMessage,
  event: Exclude<OutboundEvent, { type: 'OutboundMessageCreated' }>,
): void {
  const state = outboundStateAfter(event);
  if (state) message.row.status = commsStatus(state);
  message.row.updated_at = later(message.row.updated_at, eventTime(event));
  const last = message.attempts[message.attempts.length - 1];
  switch (event.type) {
    case 'OutboundDispatchStarted':
      message.attempts.push({
        attempt: event.data.attempt,
        status: 'QUEUED',
        attemptedAt: event.data.startedAt,
        error: null,
      });
      break;
    case 'OutboundMessageSent':
      if (last) last.status = 'SENT';
      message.row.provider_message_id = event.data.providerMessageId;
      break;
    case 'OutboundAttemptFailed':
      if (last) Object.assign(last, { status: 'FAILED', error: event.data.error });
      break;
    case 'OutboundMessageBounced':
      if (last) {
        Object.assign(last, {
          status: 'UNDELIVERED',
          error: { code: 'bounced', message: event.data.reason },
        });
      }
      break;
    case 'OutboundMessageDelivered':
      if (last) last.status = 'DELIVERED';
      break;
    case 'OutboundMessageUndelivered':
      if (last) Object.assign(last, { status: 'UNDELIVERED', error: event.data.error });
      break;
  }
  message.dirty = true;
}
