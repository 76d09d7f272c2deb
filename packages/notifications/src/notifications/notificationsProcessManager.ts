import {
  type ChannelEvent,
  type ConfirmationCodes,
  type ConversationEvent,
  type IdGenerator,
  type ParticipantViewEvent,
  type UserEvent,
  categories,
} from '@missive/domain';
import type { EventStore, RecordedEvent } from '@missive/event-store';
import type { Projection } from '@missive/projections';
import { applyAroundErasures, type SchemalessTransaction } from '@missive/read-models';
import { forgetUser } from './forgetUser';
import { type OutboundIntent, type Sender, createOutboundMessages } from './createOutboundMessages';
import {
  addedToConversationContent,
  channelConfirmationContent,
  conversationMessageContent,
  displayName,
} from './notificationContent';
import { migrateNotificationsTables } from './notificationsTables';
import { NotificationsView, type ViewNeeds } from './notificationsView';

export interface NotificationsOptions {
  readonly store: EventStore;
  /** Numeric CommMessage ids; share the API's generator when running in its process. */
  readonly ids: IdGenerator;
  readonly codes: ConfirmationCodes;
  readonly sender: Sender;
  /** Canvas's RETIRE_THRESHOLD: from this many bounces a channel gets no more mail. */
  readonly bounceThreshold: number;
  /** Appends in flight at once while fanning out. Default 64. */
  readonly appendConcurrency?: number;
  /** Told how many messages a batch created, after they are in the store. */
  readonly onCreated?: (count: number) => void;
  readonly now?: () => Date;
}

type NotifierEvent = ConversationEvent | ChannelEvent | UserEvent | ParticipantViewEvent;

const EVENT_TYPES: readonly NotifierEvent['type'][] = [
  'UserRegistered',
  'ChannelAdded',
  'ChannelRevived',
  'ChannelConfirmed',
  'ChannelRemoved',
  'ChannelBounced',
  'ChannelBounceReset',
  'ConversationStarted',
  'MessageAdded',
  'RecipientsAdded',
  'ConversationSubscribed',
  'ConversationUnsubscribed',
  'UserErased',
];

/**
 * The notifications process manager: conversation and channel events in, outbound
 * messages out, as a projection so that its position in the log is a durable checkpoint.
 *
 * - MessageAdded (not generated): each recipient but the author who has not unsubscribed gets
 *   one email per active email channel. SMS gets nothing (Canvas sends SMS only for one-time
 *   passwords); push has no transport in Missive, so it gets nothing either.
 * - RecipientsAdded by add_recipients: the added users get an "added to the conversation"
 *   notice. Users who join silently through add_message get nothing extra: the message they
 *   were named in reaches them anyway.
 * - ChannelAdded/ChannelRevived with a nonce: a confirmation email with the code.
 * - A channel at or above the bounce threshold (for a confirmation: an address that bounces for
 *   anyone) still gets its message, created `suppressed` (already bounced, never dispatched).
 *
 * Its own tables give it the users, channels and subjects as of each event's position, so a
 * replay decides exactly the same messages; their ids derive from the cause, so none is created
 * twice (see createOutboundMessages).
 */
export function notificationsProcessManager(options: NotificationsOptions): Projection {
  const now = options.now ?? (() => new Date());
  return {
    name: 'notifications',
    version: 1,
    filter: {
      streamPrefixes: [
        categories.conversation,
        categories.channel,
        categories.user,
        categories.participant,
      ],
      eventTypes: EVENT_TYPES,
    },
    migrate: migrateNotificationsTables,

    async apply(events: readonly RecordedEvent[], tx: SchemalessTransaction) {
      await applyAroundErasures(
        events,
        (chunk) => applyNotifierEvents(chunk, tx, options, now),
        (userId) => forgetUser(tx, userId),
      );
    },
  };
}

async function applyNotifierEvents(
  events: readonly RecordedEvent[],
  tx: SchemalessTransaction,
  options: NotificationsOptions,
  now: () => Date,
): Promise<void> {
  const view = await NotificationsView.load(tx, needsOf(events));
  const intents: OutboundIntent[] = [];
  for (const event of events) decide(event, view, options, intents);
  await view.flush(tx);
  // After the rows, inside the batch: the checkpoint moves only once every message exists.
  const created = await createOutboundMessages(options.store, intents, {
    ids: options.ids,
    sender: options.sender,
    concurrency: options.appendConcurrency ?? 64,
    now,
  });
  if (created > 0) options.onCreated?.(created);
}

function needsOf(events: readonly RecordedEvent[]): ViewNeeds {
  const userIds = new Set<string>();
  const conversationIds = new Set<string>();
  const channelIds = new Set<string>();
  const addressKeys = new Set<string>();
  for (const recorded of events) {
    const e = recorded as unknown as NotifierEvent;
    switch (e.type) {
      case 'MessageAdded':
        conversationIds.add(e.data.conversationId);
        userIds.add(e.data.authorId);
        for (const id of e.data.recipientIds) userIds.add(id);
        break;
      case 'RecipientsAdded':
        conversationIds.add(e.data.conversationId);
        userIds.add(e.data.addedBy);
        for (const id of e.data.userIds) userIds.add(id);
        break;
      case 'ConversationStarted':
        conversationIds.add(e.data.conversationId);
        break;
      case 'ConversationSubscribed':
      case 'ConversationUnsubscribed':
        conversationIds.add(e.data.conversationId);
        break;
      case 'UserRegistered':
        userIds.add(e.data.userId);
        break;
      case 'ChannelAdded':
        userIds.add(e.data.userId);
        channelIds.add(e.data.channelId);
        addressKeys.add(addressKeyOf(e.data.address));
        break;
      default:
        if ('channelId' in e.data) {
          userIds.add(e.data.userId);
          channelIds.add(e.data.channelId);
        }
    }
  }
  return { userIds, conversationIds, channelIds, addressKeys };
}

function decide(
  recorded: RecordedEvent,
  view: NotificationsView,
  options: NotificationsOptions,
  intents: OutboundIntent[],
): void {
  const e = recorded as unknown as NotifierEvent;
  const channel = (id: string) => view.channel(id);
  switch (e.type) {
    case 'UserRegistered':
      view.putUser({ userId: e.data.userId, name: e.data.name, shortName: e.data.shortName });
      return;
    case 'ConversationStarted':
      // Its first MessageAdded notifies; the start only tells us what the conversation is about.
      view.putConversation({
        conversationId: e.data.conversationId,
        subject: e.data.subject,
        contextCode: e.data.contextCode,
        authorId: e.data.authorId,
      });
      return;
    case 'ConversationSubscribed':
    case 'ConversationUnsubscribed':
      view.setSubscribed(e.data.conversationId, e.data.userId, e.type === 'ConversationSubscribed');
      return;
    case 'MessageAdded': {
      if (e.data.generated) return;
      const content = conversationMessageContent({
        subject: view.conversation(e.data.conversationId)?.subject,
        authorName: displayName(view.user(e.data.authorId), e.data.authorId),
        body: e.data.body,
      });
      const recipients = new Set(e.data.recipientIds);
      recipients.delete(e.data.authorId);
      for (const userId of recipients) {
        if (view.isUnsubscribed(e.data.conversationId, userId)) continue;
        notifyUser(view, options, intents, recorded, userId, e.data.conversationId, content);
      }
      return;
    }
    case 'RecipientsAdded': {
      if (!e.data.withHistory) return;
      const content = addedToConversationContent({
        subject: view.conversation(e.data.conversationId)?.subject,
        addedByName: displayName(view.user(e.data.addedBy), e.data.addedBy),
      });
      for (const userId of new Set(e.data.userIds)) {
        if (userId === e.data.addedBy) continue;
        notifyUser(view, options, intents, recorded, userId, e.data.conversationId, content);
      }
      return;
    }
    case 'ChannelAdded': {
      const row = {
        channelId: e.data.channelId,
        userId: e.data.userId,
        type: e.data.type,
        address: e.data.address,
        addressKey: addressKeyOf(e.data.address),
        workflowState: e.data.workflowState,
        bounceCount: 0,
      };
      view.putChannel(row);
      confirm(view, options, intents, recorded, row.channelId, e.data.confirmationNonce);
      return;
    }
    case 'ChannelRevived': {
      const known = channel(e.data.channelId);
      if (!known) return;
      view.putChannel({ ...known, workflowState: e.data.workflowState, bounceCount: 0 });
      confirm(view, options, intents, recorded, known.channelId, e.data.confirmationNonce);
      return;
    }
    case 'ChannelConfirmed':
    case 'ChannelRemoved': {
      const known = channel(e.data.channelId);
      if (known) {
        view.putChannel({
          ...known,
          workflowState: e.type === 'ChannelConfirmed' ? 'active' : 'retired',
        });
      }
      return;
    }
    case 'ChannelBounced':
    case 'ChannelBounceReset': {
      const known = channel(e.data.channelId);
      if (known) {
        view.putChannel({
          ...known,
          bounceCount: e.type === 'ChannelBounced' ? e.data.bounceCount : 0,
        });
      }
      return;
    }
  }
}

function notifyUser(
  view: NotificationsView,
  options: NotificationsOptions,
  intents: OutboundIntent[],
  cause: RecordedEvent,
  userId: string,
  conversationId: string,
  content: { subject: string; body: string },
): void {
  for (const c of view.channelsOf(userId)) {
    if (c.type !== 'email' || c.workflowState !== 'active') continue;
    intents.push({
      cause,
      kind: 'conversation_message',
      userId,
      channelId: c.channelId,
      to: c.address,
      subject: content.subject,
      body: content.body,
      conversationId,
      suppressed: c.bounceCount >= options.bounceThreshold,
    });
  }
}

/** Canvas confirms email channels by mail; SMS codes would need an SMS transport Missive lacks. */
function confirm(
  view: NotificationsView,
  options: NotificationsOptions,
  intents: OutboundIntent[],
  cause: RecordedEvent,
  channelId: string,
  nonce: string | null,
): void {
  const c = view.channel(channelId);
  if (!nonce || !c || c.type !== 'email' || c.workflowState !== 'unconfirmed') return;
  const code = options.codes.codeFor(c.channelId, nonce);
  const content = channelConfirmationContent({
    serviceName: options.sender.fromName,
    address: c.address,
    code,
    userId: c.userId,
    channelId: c.channelId,
  });
  intents.push({
    cause,
    kind: 'channel_confirmation',
    userId: c.userId,
    channelId: c.channelId,
    to: c.address,
    subject: content.subject,
    body: content.body,
    conversationId: null,
    suppressed: view.addressBounces(c.addressKey, options.bounceThreshold),
  });
}

function addressKeyOf(address: string): string {
  return address.trim().toLowerCase();
}
