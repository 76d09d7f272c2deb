import type { EventData, EventStore } from '@missive/event-store';
import { createHash, randomUUID } from 'node:crypto';

/** The bench's scale (`BENCH_CONVERSATIONS`, `BENCH_USERS`, `BENCH_HEAVY`). */
export interface BenchScale {
  readonly CONVERSATIONS: number;
  readonly USERS: number;
  readonly HEAVY: number;
}

export const LONG_THREAD = 5000;
export const LONG_THREAD_ID = '999999';
/** The access token the seed issues to a user. */
export const benchToken = (userId: number) => `bench-token-${userId}`;
const at = (i: number) => new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString();

function event(type: string, data: unknown): EventData {
  return { id: randomUUID(), type, data };
}

/**
 * Appends the bench's data straight to the event store, as a migration would: USERS users
 * with a token each, CONVERSATIONS two-person conversations of one message (the first HEAVY
 * all with user 1001) and one LONG_THREAD-message conversation. Answers how many events it
 * appended.
 */
export async function seedConversations(
  store: EventStore,
  { CONVERSATIONS, USERS, HEAVY }: BenchScale,
): Promise<number> {
  let appended = 0;
  const pending: Promise<unknown>[] = [];
  const flush = async () => {
    await Promise.all(pending.splice(0));
  };
  for (let u = 1; u <= USERS; u++) {
    const id = String(u + 1000);
    appended += 2;
    pending.push(
      store.append(`user-${id}`, [
        event('UserRegistered', {
          userId: id,
          name: `User ${u}`,
          shortName: `User ${u}`,
          sortableName: `${u}, User`,
          loginId: `user${u}`,
          siteAdmin: false,
          createdAt: at(0),
        }),
        event('AccessTokenIssued', {
          userId: id,
          tokenId: id,
          tokenHash: createHash('sha256')
            .update(benchToken(u + 1000))
            .digest('hex'),
          hint: 'xxxx',
          purpose: null,
          createdAt: at(0),
          expiresAt: null,
        }),
      ]),
    );
    if (pending.length >= 256) await flush();
  }
  await flush();
  for (let c = 0; c < CONVERSATIONS; c++) {
    const conversationId = String(1_000_000 + c);
    // The first HEAVY conversations all include user 1001; the rest pair users at random.
    const a = c < HEAVY ? 1001 : 1001 + ((c * 7919) % USERS);
    let b = 1001 + ((c * 104729 + 13) % USERS);
    if (b === a) b = a === 1001 + USERS - 1 ? 1001 : a + 1;
    // Who starts it alternates by blocks of USERS conversations, in each of which a and b take
    // every user once. Alternating on c itself (or on any c mod 2^k) followed a's and b's own
    // residues, so half the users only ever sent and, seeing no conversation before a reply
    // (Canvas), had empty inboxes: half the list requests read nothing. Now every user's inbox
    // holds about 95 conversations, the heavy user's 5,090.
    const [author, recipient] = Math.floor(c / USERS) % 2 === 0 ? [b, a] : [a, b];
    appended += 2;
    pending.push(
      store.append(`conversation-${conversationId}`, [
        event('ConversationStarted', {
          conversationId,
          authorId: String(author),
          participantIds: [String(author), String(recipient)],
          subject: `Subject ${c}`,
          privateHash: null,
          contextCode: null,
          createdAt: at(c),
        }),
        event('MessageAdded', {
          conversationId,
          messageId: String(10_000_000 + c),
          authorId: String(author),
          body: `Message number ${c} with a little text so that previews are realistic.`,
          createdAt: at(c),
          recipientIds: [String(author), String(recipient)],
          generated: false,
          attachmentIds: [],
          mediaComment: null,
          forwardedMessageIds: [],
          updateForSender: false,
        }),
      ]),
    );
    if (pending.length >= 256) await flush();
  }
  await flush();
  const longThread = LONG_THREAD_ID;
  const messages: EventData[] = [
    event('ConversationStarted', {
      conversationId: longThread,
      authorId: '1002',
      participantIds: ['1002', '1003'],
      subject: 'long',
      privateHash: null,
      contextCode: null,
      createdAt: at(0),
    }),
  ];
  for (let m = 0; m < LONG_THREAD; m++) {
    const author = m % 2 === 0 ? '1002' : '1003';
    messages.push(
      event('MessageAdded', {
        conversationId: longThread,
        messageId: String(20_000_000 + m),
        authorId: author,
        body: `long thread message ${m}`,
        createdAt: at(m),
        recipientIds: ['1002', '1003'],
        generated: false,
        attachmentIds: [],
        mediaComment: null,
        forwardedMessageIds: [],
        updateForSender: m > 0,
      }),
    );
  }
  for (let i = 0; i < messages.length; i += 500) {
    await store.append(`conversation-${longThread}`, messages.slice(i, i + 500));
  }
  return appended + messages.length;
}
