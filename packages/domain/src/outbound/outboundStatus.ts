import type { OutboundState } from './outboundMessage';

/** Canvas CommMessage `workflow_state`: a provider's delivery receipt is still `sent`. */
export type CommMessageWorkflowState =
  'created' | 'staged' | 'sending' | 'sent' | 'bounced' | 'cancelled' | 'transmission_error';

const CANVAS: Record<OutboundState, CommMessageWorkflowState> = {
  scheduled: 'created',
  staged: 'staged',
  sending: 'sending',
  sent: 'sent',
  delivered: 'sent',
  undelivered: 'bounced',
  bounced: 'bounced',
  failed: 'transmission_error',
  cancelled: 'cancelled',
};

export function commMessageWorkflowState(state: OutboundState): CommMessageWorkflowState {
  return CANVAS[state];
}

/** Comms `status`: waiting and in-flight messages are both QUEUED. */
export type CommsStatus =
  'QUEUED' | 'SENT' | 'SCHEDULED' | 'DELIVERED' | 'READ' | 'FAILED' | 'UNDELIVERED' | 'CANCELED';

const COMMS: Record<OutboundState, CommsStatus> = {
  scheduled: 'SCHEDULED',
  staged: 'QUEUED',
  sending: 'QUEUED',
  sent: 'SENT',
  delivered: 'DELIVERED',
  undelivered: 'UNDELIVERED',
  bounced: 'UNDELIVERED',
  failed: 'FAILED',
  cancelled: 'CANCELED',
};

export function commsStatus(state: OutboundState): CommsStatus {
  return COMMS[state];
}

/** The state each outbound event moves a message into (read models follow it without folding). */
export function outboundStateAfter(event: { type: string; data: unknown }): OutboundState | null {
  const data = event.data as {
    suppressed?: boolean;
    scheduledFor?: string | null;
    retryAt?: string | null;
  };
  switch (event.type) {
    case 'OutboundMessageCreated':
      return data.suppressed ? 'bounced' : data.scheduledFor ? 'scheduled' : 'staged';
    case 'OutboundMessageQueued':
      return 'staged';
    case 'OutboundDispatchStarted':
      return 'sending';
    case 'OutboundMessageSent':
      return 'sent';
    case 'OutboundAttemptFailed':
      return data.retryAt ? 'staged' : 'failed';
    case 'OutboundMessageBounced':
      return 'bounced';
    case 'OutboundMessageDelivered':
      return 'delivered';
    case 'OutboundMessageUndelivered':
      return 'undelivered';
    case 'OutboundMessageCancelled':
      return 'cancelled';
    default:
      return null;
  }
}
