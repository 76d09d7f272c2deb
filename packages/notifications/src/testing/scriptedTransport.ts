import type { OutgoingMessage, SendResult, Transport } from '../transports/transport';

export const SENT: SendResult = {
  outcome: 'sent',
  providerMessageId: 'provider-1',
  receipt: { status: 'delivered' },
};

/** A transport whose answers the test decides; it remembers every message it was given. */
export class ScriptedTransport implements Transport {
  readonly calls: OutgoingMessage[] = [];

  constructor(
    private readonly answer: (
      message: OutgoingMessage,
      call: number,
    ) => SendResult | Promise<SendResult> = () => SENT,
    readonly name = 'test',
  ) {}

  async send(message: OutgoingMessage): Promise<SendResult> {
    this.calls.push(message);
    return this.answer(message, this.calls.length);
  }
}
