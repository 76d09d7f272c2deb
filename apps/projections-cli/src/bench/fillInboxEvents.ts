import { randomUUID } from 'node:crypto';
import type { ConversationEvent, ParticipantViewEvent } from '@missive/domain';
import type { EventData, EventStore } from '@missive/event-store';
import { seededRandom } from '@missive/projections';

export interface InboxLogShape {
  /** Events to write. */
  readonly events: number;
  /** Conversations receiving messages at any one time; each batch interleaves about this many. */
  readonly activeConversations: number;
  readonly users: number;
  readonly seed: number;
}

export interface InboxLogCounts {
  readonly conversations: number;
  readonly messages: number;
  readonly generatedMessages: number;
  readonly recipientsAdded: number;
  readonly viewEvents: number;
}

const VIEW_EVENTS: readonly [ParticipantViewEvent['type'], number][] = [
  ['ConversationMarkedAsRead', 0.08],
  ['ConversationStarred', 0.015],
  ['ConversationArchived', 0.015],
  ['ConversationMarkedAsUnread', 0.005],
  ['ConversationUnstarred', 0.005],
  ['ConversationUnsubscribed', 0.002],
];
const APPENDS_IN_FLIGHT = 500;
const BODY = 'Thanks, see the attached rubric for the quarterly plan and the next steps. '.repeat(
  2,
);

interface Active {
  readonly id: string;
  readonly participants: string[];
  remaining: number;
}

/**
 * Writes an inbox-shaped log: conversations of 2–3 participants started (with their first
 * message, from the create path) while others are replied to, about `activeConversations` at
 * once, each living for 10–90 messages. Beside the messages: participants reading, starring,
 * archiving (their own `participant-` streams), and now and then a recipient added with
 * history, followed by Canvas's generated "was added" message.
 */
export async function fillInboxEvents(
  store: EventStore,
  shape: InboxLogShape,
): Promise<InboxLogCounts> {
  const random = seededRandom(shape.seed);
  const user = () => String(1 + Math.floor(random() * shape.users));
  const startedAt = Date.UTC(2025, 0, 1);
  let clock = 0;
  const at = () => new Date(startedAt + (clock += 1000)).toISOString();
  let nextConversation = 1_000;
  let nextMessage = 1_000_000;
  const counts = {
    conversations: 0,
    messages: 0,
    generatedMessages: 0,
    recipientsAdded: 0,
    viewEvents: 0,
  };
  const active: Active[] = [];
  const appends: Promise<unknown>[] = [];
  let written = 0;
  const append = async (stream: string, events: (ConversationEvent | ParticipantViewEvent)[]) => {
    const data: EventData[] = events.map((e) => ({ id: randomUUID(), type: e.type, data: e.data }));
    written += data.length;
    // Many appends in flight at once: the store groups them into one commit.
    appends.push(store.append(stream, data));
    if (appends.length >= APPENDS_IN_FLIGHT) await Promise.all(appends.splice(0));
  };
  const message = (
    c: Active,
    authorId: string,
    recipientIds: string[],
    updateForSender: boolean,
    generated = false,
  ): ConversationEvent => {
    counts.messages += 1;
    if (generated) counts.generatedMessages += 1;
    const attach = random() < 0.05;
    return {
      type: 'MessageAdded',
      data: {
        conversationId: c.id,
        messageId: String(++nextMessage),
        authorId,
        body: generated ? `User ${recipientIds.at(-1)} was added to the conversation` : BODY,
        createdAt: at(),
        recipientIds,
        generated,
        attachmentIds: attach ? [String(nextMessage)] : [],
        mediaComment: null,
        forwardedMessageIds: [],
        tags: Object.fromEntries(recipientIds.map((r) => [r, ['course_5']])),
        updateForSender,
      },
    };
  };

  while (written < shape.events) {
    if (active.length < shape.activeConversations) {
      const participants = [user()];
      const size = random() < 0.6 ? 2 : 3;
      while (participants.length < size) {
        const u = user();
        if (!participants.includes(u)) participants.push(u);
      }
      // The events get copies: `c.participants` grows later, while an append may still be
      // reading what it was given (a store may serialize an event after the call returns).
      const c: Active = {
        id: String(++nextConversation),
        participants: [...participants],
        remaining: 10 + Math.floor(random() * 80),
      };
      active.push(c);
      counts.conversations += 1;
      await append(`conversation-${c.id}`, [
        {
          type: 'ConversationStarted',
          data: {
            conversationId: c.id,
            authorId: participants[0]!,
            participantIds: participants,
            subject: `Conversation ${c.id} about the quarterly plan`,
            privateHash: null,
            contextCode: 'course_5',
            createdAt: at(),
          },
        },
        message(c, participants[0]!, participants, false),
      ]);
      continue;
    }
    const index = Math.floor(random() * active.length);
    const c = active[index]!;
    const roll = random();
    let threshold = 0;
    const view = VIEW_EVENTS.find(([, p]) => roll < (threshold += p));
    if (view) {
      counts.viewEvents += 1;
      const userId = c.participants[Math.floor(random() * c.participants.length)]!;
      await append(`participant-${c.id}-${userId}`, [
        { type: view[0], data: { conversationId: c.id, userId, at: at() } } as ParticipantViewEvent,
      ]);
      continue;
    }
    if (roll < threshold + 0.003 && c.participants.length < 6) {
      const added = user();
      if (c.participants.includes(added)) continue;
      counts.recipientsAdded += 1;
      c.participants.push(added);
      await append(`conversation-${c.id}`, [
        {
          type: 'RecipientsAdded',
          data: {
            conversationId: c.id,
            addedBy: c.participants[0]!,
            userIds: [added],
            withHistory: true,
            at: at(),
          },
        },
        message(c, c.participants[0]!, [...c.participants], true, true),
      ]);
      continue;
    }
    const author = c.participants[Math.floor(random() * c.participants.length)]!;
    await append(`conversation-${c.id}`, [message(c, author, [...c.participants], true)]);
    c.remaining -= 1;
    if (c.remaining <= 0) active.splice(index, 1);
  }
  await Promise.all(appends);
  return counts;
}
