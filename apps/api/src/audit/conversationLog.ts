import { streams, type ConversationLogEvent } from '@missive/domain';
import { comparePositions, type EventStore, type RecordedEvent } from '@missive/event-store';

/** A stream's events up to `until` (inclusive), stopping at the first one after it. */
async function readUntil(store: EventStore, stream: string, until: Date): Promise<RecordedEvent[]> {
  const out: RecordedEvent[] = [];
  for await (const e of store.readStream(stream)) {
    if (e.created.getTime() > until.getTime()) break;
    out.push(e);
  }
  return out;
}

/**
 * What the log held at `until` about one participant's conversation: the conversation's own
 * stream and that participant's view stream, merged back into log order. Read through the
 * store port only, so it answers the same on every adapter and whatever the read models say.
 */
export async function conversationLogUntil(
  store: EventStore,
  conversationId: string,
  userId: string,
  until: Date,
): Promise<ConversationLogEvent[]> {
  const [conversation, view] = await Promise.all([
    readUntil(store, streams.conversation(conversationId), until),
    readUntil(store, streams.participant(conversationId, userId), until),
  ]);
  const merged: RecordedEvent[] = [];
  let i = 0;
  let j = 0;
  while (i < conversation.length || j < view.length) {
    const a = conversation[i];
    const b = view[j];
    if (b === undefined || (a !== undefined && comparePositions(a.position, b.position) <= 0)) {
      merged.push(a!);
      i++;
    } else {
      merged.push(b);
      j++;
    }
  }
  return merged.map((e) => ({ type: e.type, data: e.data }) as ConversationLogEvent);
}
