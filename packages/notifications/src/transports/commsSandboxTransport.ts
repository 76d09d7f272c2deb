import { createHash } from 'node:crypto';
import type { OutgoingMessage, SendResult, Transport } from './transport';

type Outcome =
  | { readonly kind: 'failed'; readonly code: string; readonly message: string }
  | { readonly kind: 'retry'; readonly code: string; readonly message: string }
  | { readonly kind: 'undelivered'; readonly code: string; readonly message: string }
  | { readonly kind: 'no_receipt' };

/**
 * Magic numbers, after Twilio's test credentials (`+1500555xxxx`) with their error codes. Any
 * other address is sent and delivered. They apply to PHONE and WHATSAPP alike. README lists
 * them for clients.
 */
export const COMMS_SANDBOX_RECIPIENTS: Readonly<Record<string, Outcome>> = {
  '+15005550001': { kind: 'failed', code: '21211', message: "Invalid 'To' Phone Number" },
  '+15005550002': {
    kind: 'failed',
    code: '21612',
    message: "The 'To' phone number is not currently reachable",
  },
  '+15005550003': {
    kind: 'failed',
    code: '21408',
    message: "Permission to send has not been enabled for the region of the 'To' number",
  },
  '+15005550004': {
    kind: 'failed',
    code: '21610',
    message: 'Attempt to send to unsubscribed recipient',
  },
  '+15005550009': {
    kind: 'failed',
    code: '21614',
    message: "'To' number is not a valid mobile number",
  },
  '+15005550010': { kind: 'no_receipt' },
  '+15005550011': {
    kind: 'undelivered',
    code: '30003',
    message: 'Unreachable destination handset',
  },
  '+15005550012': { kind: 'undelivered', code: '30005', message: 'Unknown destination handset' },
  '+15005550013': { kind: 'retry', code: '30008', message: 'Unknown error' },
};

/** Sender numbers with Twilio's test meanings; any other sender is fine. */
export const COMMS_SANDBOX_SENDERS: Readonly<Record<string, Outcome>> = {
  '+15005550001': { kind: 'failed', code: '21212', message: "Invalid 'From' Phone Number" },
  '+15005550007': {
    kind: 'failed',
    code: '21606',
    message: "The 'From' phone number is not a valid, message-capable number",
  },
  '+15005550008': {
    kind: 'retry',
    code: '21611',
    message: "This 'From' number has exceeded the maximum number of queued messages",
  },
};

/**
 * The classic message SID a provider would return: `SM` (or `MM` with media) and 32 hex digits,
 * derived from the outbound id so that sending the same message again gives the same SID.
 */
export function sandboxMessageSid(outboundId: string, hasMedia: boolean): string {
  const hex = createHash('sha256').update(`comms-sandbox:${outboundId}`).digest('hex');
  return `${hasMedia ? 'MM' : 'SM'}${hex.slice(0, 32)}`;
}

/**
 * The embedded default for PHONE and WHATSAPP recipients: decides each message's fate from its
 * numbers alone, at once and the same way every time, so a retried send (after a crash mid-
 * attempt) reports the same outcome and SID, and nothing is sent anywhere.
 */
export class CommsSandboxTransport implements Transport {
  readonly name = 'comms-sandbox';

  async send(message: OutgoingMessage): Promise<SendResult> {
    if (message.channel !== 'phone' && message.channel !== 'whatsapp') {
      return failed(
        false,
        'unsupported_channel',
        `the Comms sandbox cannot send ${message.channel}`,
      );
    }
    const outcome =
      COMMS_SANDBOX_SENDERS[message.from.trim()] ?? COMMS_SANDBOX_RECIPIENTS[message.to.trim()];
    if (outcome?.kind === 'failed') return failed(false, outcome.code, outcome.message);
    if (outcome?.kind === 'retry') return failed(true, outcome.code, outcome.message);
    const providerMessageId = sandboxMessageSid(message.outboundId, message.media.length > 0);
    if (outcome?.kind === 'no_receipt') return { outcome: 'sent', providerMessageId };
    if (outcome?.kind === 'undelivered') {
      return {
        outcome: 'sent',
        providerMessageId,
        receipt: { status: 'undelivered', error: { code: outcome.code, message: outcome.message } },
      };
    }
    return { outcome: 'sent', providerMessageId, receipt: { status: 'delivered' } };
  }
}

function failed(transient: boolean, code: string, message: string): SendResult {
  return { outcome: 'failed', transient, error: { code, message } };
}
