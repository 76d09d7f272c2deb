import type { OutboundChannel } from '@missive/domain';

/** What a transport needs to send one outbound message. */
export interface OutgoingMessage {
  readonly outboundId: string;
  readonly messageId: string;
  readonly channel: OutboundChannel;
  readonly to: string;
  readonly from: string;
  readonly fromName: string | null;
  readonly replyTo: string | null;
  readonly subject: string | null;
  readonly body: string;
  readonly htmlBody: string | null;
  readonly media: readonly string[];
}

/**
 * The outcome of one attempt:
 * - `sent`: accepted by the next hop. A transport that learns the final fate at once (the
 *   sandbox) adds a `receipt`; providers report it later through their webhook;
 * - `bounced`: the address is permanently bad (SMTP 5xx on the recipient): counts against the channel;
 * - `failed`: anything else. Transient failures are retried with backoff; permanent ones end
 *   the message as failed.
 */
export type SendResult =
  | {
      readonly outcome: 'sent';
      readonly providerMessageId: string | null;
      readonly receipt?:
        | { readonly status: 'delivered' }
        | { readonly status: 'undelivered'; readonly error: { code: string; message: string } };
    }
  | { readonly outcome: 'bounced'; readonly reason: string }
  | {
      readonly outcome: 'failed';
      readonly transient: boolean;
      readonly error: { readonly code: string; readonly message: string };
    };

export interface Transport {
  /** Recorded on each attempt (`smtp`, `sandbox`, ...). */
  readonly name: string;
  /**
   * Must not throw for delivery problems: they are outcomes. Sending the same outboundId twice
   * (a retry after a crash mid-send) should be harmless where the medium allows: SMTP uses a
   * Message-ID derived from it, the sandbox keeps one record per id.
   */
  send(message: OutgoingMessage): Promise<SendResult>;
  close?(): Promise<void>;
}
