import { randomUUID } from 'node:crypto';
import type { EventData, EventStore } from '@missive/event-store';
import type { ConversationStarted, MessageSent } from './conversationsBenchProjection';

const MESSAGES_PER_APPEND = 5;

/**
 * Fills the log with `events` events: one conversation per 50 events, each started and then
 * receiving messages five at a time, round-robin, so conversations interleave as in real use.
 */
export async function fillConversationEvents(store: EventStore, events: number): Promise<void> {
  const conversations = Math.max(1, Math.round(events / 50));
  const started = Date.now() - events * 1000;
  const revisions = new Array<number>(conversations).fill(-1);
  let written = 0;
  let round = 0;
  let messageId = 1_000_000;
  while (written < events) {
    const appends: Promise<unknown>[] = [];
    // Many appends in flight at once: the store groups them into one commit.
    for (let c = 0; c < conversations && written < events; c++) {
      const batch: EventData[] = [];
      if (revisions[c] === -1) {
        const data: ConversationStarted = {
          subject: `Conversation ${c} about the quarterly plan`,
          participantIds: [`${1 + (c % 97)}`, `${1 + ((c * 7) % 97)}`, `${1 + ((c * 13) % 97)}`],
        };
        batch.push({ id: randomUUID(), type: 'ConversationStarted', data });
      }
      while (batch.length < MESSAGES_PER_APPEND && written + batch.length < events) {
        messageId += 1;
        const data: MessageSent = {
          messageId: String(messageId),
          authorId: String(1 + ((c + round + batch.length) % 97)),
          body: `Message ${round}.${batch.length} in conversation ${c}: ${'lorem ipsum dolor sit amet '.repeat(3)}`,
          sentAt: new Date(started + written + batch.length).toISOString(),
        };
        batch.push({ id: randomUUID(), type: 'MessageSent', data });
      }
      revisions[c] = revisions[c]! + batch.length;
      written += batch.length;
      appends.push(store.append(`conversation-${1000 + c}`, batch));
      if (appends.length >= 500) await Promise.all(appends.splice(0));
    }
    await Promise.all(appends);
    round += 1;
  }
}
