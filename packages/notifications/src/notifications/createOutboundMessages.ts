import {
  type IdGenerator,
  type OutboundKind,
  type OutboundMessageCreated,
  derivedUlid,
  streams,
  derivedEventId,
} from '@missive/domain';
import {
  type EventStore,
  type RecordedEvent,
  WrongExpectedVersionError,
} from '@missive/event-store';
import { causedEventData } from '../shared/causedEventData';
import { forEachConcurrently } from '../shared/forEachConcurrently';

/** One email a process manager decided to send, before it has ids. */
export interface OutboundIntent {
  readonly cause: RecordedEvent;
  readonly kind: OutboundKind;
  readonly userId: string;
  readonly channelId: string;
  readonly to: string;
  readonly subject: string;
  readonly body: string;
  readonly conversationId: string | null;
  readonly suppressed: boolean;
}

export interface Sender {
  readonly from: string;
  readonly fromName: string;
}

/**
 * Appends one `outbound-<id>` stream per intent, concurrently (the SQLite store commits a
 * crowd of appends together). The id derives from the cause and the channel, and the stream
 * must not exist yet: when a replay (a batch rolled back after these appends, or a second
 * instance) finds it there, the message was already created and nothing is written. The
 * event id derives from the message id too, so a retry of an append whose answer was lost is
 * recognised by the store as the same append. Resolves with how many appends succeeded.
 */
export async function createOutboundMessages(
  store: EventStore,
  intents: readonly OutboundIntent[],
  options: { ids: IdGenerator; sender: Sender; concurrency: number; now: () => Date },
): Promise<number> {
  let created = 0;
  await forEachConcurrently(intents, options.concurrency, async (intent) => {
    const data = outboundMessageOf(intent, options.ids, options.sender);
    const event: OutboundMessageCreated = { type: 'OutboundMessageCreated', data };
    try {
      await store.append(
        streams.outbound(data.outboundId),
        [
          causedEventData(
            event,
            intent.cause,
            options.now(),
            derivedEventId(data.outboundId, 'created'),
          ),
        ],
        { expectedRevision: 'no_stream' },
      );
      created += 1;
    } catch (error) {
      if (!(error instanceof WrongExpectedVersionError)) throw error;
    }
  });
  return created;
}

function outboundMessageOf(
  intent: OutboundIntent,
  ids: IdGenerator,
  sender: Sender,
): OutboundMessageCreated['data'] {
  const at = intent.cause.created;
  const cause = intent.cause;
  return {
    outboundId: derivedUlid(cause.id, intent.channelId, at),
    messageId: ids.next(),
    kind: intent.kind,
    userId: intent.userId,
    channelId: intent.channelId,
    channel: 'email',
    to: intent.to,
    from: sender.from,
    fromName: sender.fromName,
    replyTo: null,
    subject: intent.subject,
    body: intent.body,
    htmlBody: null,
    media: [],
    conversationId: intent.conversationId,
    operationId: null,
    tags: {},
    scheduledFor: null,
    cause: { eventId: cause.id, streamId: cause.streamId, type: cause.type },
    suppressed: intent.suppressed,
    // The cause's time, not the clock's: a replay derives the same message.
    createdAt: at.toISOString(),
  };
}
