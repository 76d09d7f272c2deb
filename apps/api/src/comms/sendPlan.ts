import { checkSendAt, type DomainError, type OutboundChannel } from '@missive/domain';
import { CommsError } from './commsError';
import type { CommsSettings } from './commsSettings';
import type { RecipientDto, SendMessagesDto } from './sendMessagesDto';

export interface PlannedMessage {
  readonly channel: Extract<OutboundChannel, 'phone' | 'whatsapp'>;
  readonly to: string;
  readonly from: string;
  readonly text: string;
  readonly media: readonly string[];
  /** The recipient's variables, kept so a resumed fan-out renders the same text. */
  readonly variables?: Record<string, string>;
}

/** What one send request becomes, decided before anything is written. */
export interface SendPlan {
  readonly recipients: number;
  readonly messages: readonly PlannedMessage[];
  readonly unaddressable: number;
  readonly scheduledFor: string | null;
  readonly tags: Record<string, string>;
  /** The content before variables: what the operation records for its fan-out. */
  readonly text: string;
  readonly media: readonly string[];
}

/** Which sender channel reaches which recipient channel; RCS has no transport here. */
const SENDER_FOR: Record<'PHONE' | 'WHATSAPP', 'SMS' | 'WHATSAPP'> = {
  PHONE: 'SMS',
  WHATSAPP: 'WHATSAPP',
};

/**
 * Liquid output tags naming a recipient variable (`{{ firstName }}`) take its value; anything
 * else (other variables, filters, tags) is left as written.
 */
export function renderVariables(
  text: string,
  variables: Record<string, string> | undefined,
): string {
  if (!variables) return text;
  return text.replace(/\{\{\s*([A-Za-z0-9_.]+)\s*\}\}/g, (whole, name: string) =>
    Object.prototype.hasOwnProperty.call(variables, name) ? variables[name]! : whole,
  );
}

/** `schedule.sendAt` is a list in the request: a refusal points at its first item. */
export function sendError(err: DomainError): CommsError {
  const pointer =
    err.attribute === 'schedule.sendAt' ? '$.schedule.sendAt[0]' : `$.${err.attribute}`;
  return CommsError.badRequest(`${err.attribute}: ${err.message}.`, pointer);
}

/**
 * Pairs each recipient with a sender: a recipient no sender can reach (a Memory
 * profile, which needs a profile store this service lacks; a channel the `from` does not
 * speak) is unaddressable: counted, but no message and no attempt. From a list of
 * `addresses`, the first reachable one is used.
 */
export function planSend(dto: SendMessagesDto, settings: CommsSettings, now: Date): SendPlan {
  const scheduledFor = dto.schedule ? checkSendAt(dto.schedule.sendAt[0]!, now) : null;
  const senderFor = (channel: 'PHONE' | 'WHATSAPP'): string | null => {
    if (dto.from) return dto.from.channel === SENDER_FOR[channel] ? dto.from.address! : null;
    return channel === 'PHONE' ? settings.defaultSenders.sms : settings.defaultSenders.whatsapp;
  };
  const text = dto.content.text ?? '';
  const media = (dto.content.media ?? []).map((m) => m.url);
  const messages: PlannedMessage[] = [];
  for (const recipient of dto.to) {
    const pair = pairOf(recipient, senderFor);
    if (!pair) continue;
    messages.push({
      channel: pair.channel === 'PHONE' ? 'phone' : 'whatsapp',
      to: pair.address,
      from: pair.from,
      text: renderVariables(text, recipient.variables),
      media,
      ...(recipient.variables ? { variables: recipient.variables } : {}),
    });
  }
  return {
    recipients: dto.to.length,
    messages,
    unaddressable: dto.to.length - messages.length,
    scheduledFor,
    tags: dto.tags ?? {},
    text,
    media,
  };
}

function pairOf(
  recipient: RecipientDto,
  senderFor: (channel: 'PHONE' | 'WHATSAPP') => string | null,
): { address: string; channel: 'PHONE' | 'WHATSAPP'; from: string } | null {
  const candidates =
    recipient.address !== undefined
      ? [{ address: recipient.address, channel: recipient.channel! }]
      : (recipient.addresses ?? []);
  for (const candidate of candidates) {
    const from = senderFor(candidate.channel);
    if (from) return { address: candidate.address, channel: candidate.channel, from };
  }
  return null;
}
