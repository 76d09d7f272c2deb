import { type ConversationsEvent, ConversationFold } from './conversationFold';
import { idOf } from './eventIds';
import type { Tx } from './conversationsTables';
import { loadConversationColumns, loadParticipants } from './participantRows';

export type { ConversationsEvent };

/** The conversations whose rows these events may change or copy from, as the rows name them. */
function conversationsOf(events: readonly ConversationsEvent[]) {
  const touched = new Set<string>();
  const joined = new Set<string>();
  for (const e of events) {
    let id: string;
    try {
      id = idOf((e.data as { conversationId?: unknown }).conversationId);
    } catch {
      continue; // No row to load: the fold refuses the event (or ignores its type) itself.
    }
    touched.add(id);
    if (e.type === 'RecipientsAdded') joined.add(id);
  }
  return { touched: [...touched], joined: [...joined] };
}

/**
 * Applies a batch of events, live or rebuilding, through the one fold: load the rows they touch,
 * fold every event in log order, write the result with a few multi-row statements.
 */
export async function applyConversationBatch(
  tx: Tx,
  events: readonly ConversationsEvent[],
): Promise<void> {
  const { touched, joined } = conversationsOf(events);
  const fold = new ConversationFold(
    tx,
    await loadParticipants(tx, touched),
    await loadConversationColumns(tx, joined),
  );
  for (const e of events) {
    const statements = fold.apply(e);
    if (statements) await statements;
  }
  await fold.flush();
}
