import type {
  ChannelEvent,
  ConversationEvent,
  DomainEvent,
  OutboundMessageCreated,
  ParticipantViewEvent,
  UserEvent,
} from '@missive/domain';
import { type EventData, type EventStore, type RecordedEvent } from '@missive/event-store';
import { SCHEMA_VERSION } from '@missive/command-handling';
import { randomUUID } from 'node:crypto';

export const CORRELATION_ID = 'corr-test';

/** Stored as the API stores events: with the metadata every stored event carries (EventMetadata). */
export function eventData(event: DomainEvent, correlationId = CORRELATION_ID): EventData {
  const id = randomUUID();
  return {
    id,
    type: event.type,
    data: event.data,
    metadata: {
      eventId: id,
      correlationId,
      causationId: 'http:test',
      actorUserId: '1',
      occurredAt: new Date().toISOString(),
      schemaVersion: SCHEMA_VERSION,
    },
  };
}

export const at = (minute = 0) => new Date(Date.UTC(2026, 2, 1, 10, minute)).toISOString();

export function append(
  store: EventStore,
  stream: string,
  ...events: (ConversationEvent | ChannelEvent | UserEvent | ParticipantViewEvent)[]
) {
  return store.append(
    stream,
    events.map((e) => eventData(e)),
  );
}

export function registerUser(store: EventStore, userId: string, name: string) {
  return append(store, `user-${userId}`, {
    type: 'UserRegistered',
    data: {
      userId,
      name,
      shortName: name.split(' ')[0]!,
      sortableName: name,
      loginId: `${name.toLowerCase().replace(/\s+/g, '.')}@example.com`,
      siteAdmin: false,
      createdAt: at(),
    },
  });
}

export function addChannel(
  store: EventStore,
  channel: {
    channelId: string;
    userId: string;
    address: string;
    type?: 'email' | 'sms' | 'push';
    workflowState?: 'active' | 'unconfirmed';
    nonce?: string | null;
  },
) {
  const workflowState = channel.workflowState ?? 'active';
  return append(store, `channel-${channel.channelId}`, {
    type: 'ChannelAdded',
    data: {
      channelId: channel.channelId,
      userId: channel.userId,
      type: channel.type ?? 'email',
      address: channel.address,
      position: 1,
      workflowState,
      confirmationNonce: channel.nonce ?? (workflowState === 'unconfirmed' ? 'nonce' : null),
      createdAt: at(),
    },
  });
}

export function channelEvent(store: EventStore, event: ChannelEvent) {
  return append(store, `channel-${event.data.channelId}`, event);
}

export function startConversation(
  store: EventStore,
  conversation: {
    conversationId: string;
    authorId: string;
    participantIds: string[];
    subject: string | null;
  },
) {
  return append(store, `conversation-${conversation.conversationId}`, {
    type: 'ConversationStarted',
    data: {
      conversationId: conversation.conversationId,
      authorId: conversation.authorId,
      participantIds: conversation.participantIds,
      subject: conversation.subject,
      privateHash: null,
      contextCode: null,
      createdAt: at(),
    },
  });
}

export function messageAdded(message: {
  conversationId: string;
  messageId: string;
  authorId: string;
  recipientIds: string[];
  body?: string;
  generated?: boolean;
}): ConversationEvent {
  return {
    type: 'MessageAdded',
    data: {
      conversationId: message.conversationId,
      messageId: message.messageId,
      authorId: message.authorId,
      body: message.body ?? `message ${message.messageId}`,
      createdAt: at(1),
      recipientIds: message.recipientIds,
      generated: message.generated ?? false,
      attachmentIds: [],
      mediaComment: null,
      forwardedMessageIds: [],
      updateForSender: true,
    },
  };
}

export function addMessage(store: EventStore, message: Parameters<typeof messageAdded>[0]) {
  return append(store, `conversation-${message.conversationId}`, messageAdded(message));
}

/** Every OutboundMessageCreated in the log, in log order. */
export async function createdMessages(
  store: EventStore,
): Promise<(RecordedEvent & { data: OutboundMessageCreated['data'] })[]> {
  const found: (RecordedEvent & { data: OutboundMessageCreated['data'] })[] = [];
  for await (const e of store.readAll({ filter: { eventTypes: ['OutboundMessageCreated'] } })) {
    found.push(e as RecordedEvent & { data: OutboundMessageCreated['data'] });
  }
  return found;
}

export async function streamEvents(store: EventStore, stream: string): Promise<RecordedEvent[]> {
  const found: RecordedEvent[] = [];
  for await (const e of store.readStream(stream)) found.push(e);
  return found;
}

/** An outbound message as the Comms API or a process manager would create it. */
export function outboundCreated(
  overrides: Partial<OutboundMessageCreated['data']> & { outboundId: string },
): OutboundMessageCreated {
  return {
    type: 'OutboundMessageCreated',
    data: {
      messageId: '1000',
      kind: 'conversation_message',
      userId: '2',
      channelId: '20',
      channel: 'email',
      to: 'ben@example.com',
      from: 'notifications@example.com',
      fromName: 'Missive',
      replyTo: null,
      subject: 'Hello',
      body: 'Hello Ben',
      htmlBody: null,
      media: [],
      conversationId: null,
      operationId: null,
      tags: {},
      scheduledFor: null,
      cause: null,
      suppressed: false,
      createdAt: at(),
      ...overrides,
    },
  };
}

/** Polls until `check` holds; never asserts on elapsed time, only gives up eventually. */
export async function eventually<T>(
  check: () => Promise<T | undefined | false>,
  what: string,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
