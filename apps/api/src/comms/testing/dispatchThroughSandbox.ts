import {
  evolveOutboundMessage,
  recordAttemptFailed,
  recordDelivered,
  recordSent,
  recordUndelivered,
  startDispatch,
  streams,
  type OutboundEvent,
  type OutboundMessageState,
} from '@missive/domain';
import { type EventStore } from '@missive/event-store';
import { execute, load, systemContext } from '@missive/command-handling';
import { CommsSandboxTransport, type Transport } from '@missive/notifications';

const sandbox = new CommsSandboxTransport();
const ctx = systemContext('e2e-sandbox-dispatch');

/**
 * One dispatch of a Comms message through a real transport (the sandbox unless told), recorded
 * with the domain's deciders, as the notifier's dispatcher does. If a dispatcher already
 * handled the message, the deciders decide nothing and the outcome is the same either way.
 */
export async function dispatchThroughSandbox(
  store: EventStore,
  commsId: string,
  transport: Transport = sandbox,
): Promise<void> {
  const outboundId = commsId.replace(/^comms_message_/, '');
  const stream = streams.outbound(outboundId);
  const run = (decide: (s: OutboundMessageState | null) => OutboundEvent[]) =>
    execute(store, stream, evolveOutboundMessage, decide, ctx);
  const claimed = await run((s) =>
    startDispatch(s, { transport: transport.name, startedAt: now() }),
  );
  if (!claimed.result) return;
  const { state } = await load(store, stream, evolveOutboundMessage);
  const message = state!.message;
  const result = await transport.send({ ...message, subject: null, htmlBody: null });
  if (result.outcome === 'failed') {
    await run((s) =>
      recordAttemptFailed(s, { error: result.error, retryAt: null, failedAt: now() }),
    );
    return;
  }
  if (result.outcome !== 'sent') throw new Error(`unexpected sandbox outcome ${result.outcome}`);
  await run((s) => recordSent(s, { providerMessageId: result.providerMessageId, sentAt: now() }));
  if (result.receipt?.status === 'delivered') {
    await run((s) => recordDelivered(s, { deliveredAt: now() }));
  } else if (result.receipt?.status === 'undelivered') {
    const error = result.receipt.error;
    await run((s) => recordUndelivered(s, { error, at: now() }));
  }
}

function now(): string {
  return new Date().toISOString();
}
