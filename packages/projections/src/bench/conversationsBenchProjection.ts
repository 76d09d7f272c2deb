import type { RecordedEvent } from '@missive/event-store';
import { sql } from 'kysely';
import { chunkRows } from '../chunkRows';
import { dialectOf } from '../database';
import { insertRows } from '../insertRows';
import type { Projection } from '../projection';

export interface ConversationStarted {
  readonly subject: string;
  readonly participantIds: readonly string[];
}

/** Ids are increasing BIGINTs (as strings), as in the domain (Canvas-style ids). */
export interface MessageSent {
  readonly messageId: string;
  readonly authorId: string;
  readonly body: string;
  readonly sentAt: string;
}

interface ConversationDelta {
  id: string;
  subject: string | null;
  participant_count: number | null;
  message_count: number;
  last_message_id: string | null;
  last_message_at: string | null;
  last_message_preview: string | null;
  last_position: string;
}

export type BenchWriter = 'insertRows' | 'kysely';

const CONVERSATION_COLUMNS = [
  'id',
  'subject',
  'participant_count',
  'message_count',
  'last_message_id',
  'last_message_at',
  'last_message_preview',
  'last_position',
] as const;
const MESSAGE_COLUMNS = ['id', 'conversation_id', 'author_id', 'body', 'sent_at'] as const;

const keep = (column: string): string =>
  `coalesce(excluded.${column}, bench_conversations.${column})`;
const CONVERSATION_UPSERT = {
  columns: ['id'],
  update: {
    subject: keep('subject'),
    participant_count: keep('participant_count'),
    message_count: 'bench_conversations.message_count + excluded.message_count',
    last_message_id: keep('last_message_id'),
    last_message_at: keep('last_message_at'),
    last_message_preview: keep('last_message_preview'),
    last_position: 'excluded.last_position',
  },
};

/**
 * A read model shaped like the conversations list: one summary row per conversation
 * (upserted) and one row per message (inserted). Each batch costs a few multi-row statements
 * however many events it holds. `writer` picks how they are written: `insertRows` (SQL text
 * built directly) or Kysely's query builder, to show what the builder costs.
 */
export function conversationsBenchProjection(writer: BenchWriter = 'insertRows'): Projection {
  return {
    name: 'conversations_bench',
    version: 1,
    filter: { streamPrefixes: ['conversation-'] },

    async migrate(db) {
      // SQLite: only a column declared exactly INTEGER PRIMARY KEY is the rowid, so inserting by
      // increasing id appends to the table b-tree instead of maintaining a separate index.
      const id = sql.raw(dialectOf(db) === 'sqlite' ? 'integer' : 'bigint');
      await db.schema
        .createTable('bench_conversations')
        .ifNotExists()
        .addColumn('id', id, (c) => c.primaryKey())
        .addColumn('subject', 'text')
        .addColumn('participant_count', 'integer')
        .addColumn('message_count', 'integer', (c) => c.notNull())
        .addColumn('last_message_id', 'bigint')
        .addColumn('last_message_at', 'text')
        .addColumn('last_message_preview', 'text')
        .addColumn('last_position', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('bench_messages')
        .ifNotExists()
        .addColumn('id', id, (c) => c.primaryKey())
        .addColumn('conversation_id', 'bigint', (c) => c.notNull())
        .addColumn('author_id', 'bigint', (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('sent_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('bench_messages_by_conversation')
        .ifNotExists()
        .on('bench_messages')
        .columns(['conversation_id', 'id'])
        .execute();
    },

    async apply(events, tx) {
      const { messages, conversations } = foldBatch(events);
      if (writer === 'insertRows') {
        await insertRows(tx, 'bench_messages', MESSAGE_COLUMNS, messages);
        await insertRows(tx, 'bench_conversations', CONVERSATION_COLUMNS, conversations, {
          onConflict: CONVERSATION_UPSERT,
        });
        return;
      }
      const objects = (columns: readonly string[], rows: unknown[][]): Record<string, unknown>[] =>
        rows.map((row) => Object.fromEntries(columns.map((column, i) => [column, row[i]])));
      for (const chunk of chunkRows(objects(MESSAGE_COLUMNS, messages), 5)) {
        await tx.insertInto('bench_messages').values(chunk).execute();
      }
      for (const chunk of chunkRows(objects(CONVERSATION_COLUMNS, conversations), 8)) {
        await tx
          .insertInto('bench_conversations')
          .values(chunk)
          .onConflict((oc) =>
            oc.column('id').doUpdateSet((eb) => ({
              subject: eb.fn.coalesce('excluded.subject', 'bench_conversations.subject'),
              participant_count: eb.fn.coalesce(
                'excluded.participant_count',
                'bench_conversations.participant_count',
              ),
              message_count: eb(
                'bench_conversations.message_count',
                '+',
                eb.ref('excluded.message_count'),
              ),
              last_message_id: eb.fn.coalesce(
                'excluded.last_message_id',
                'bench_conversations.last_message_id',
              ),
              last_message_at: eb.fn.coalesce(
                'excluded.last_message_at',
                'bench_conversations.last_message_at',
              ),
              last_message_preview: eb.fn.coalesce(
                'excluded.last_message_preview',
                'bench_conversations.last_message_preview',
              ),
              last_position: eb.ref('excluded.last_position'),
            })),
          )
          .execute();
      }
    },
  };
}

/** Rows in column order. PostgreSQL refuses an upsert touching a row twice: fold per conversation. */
function foldBatch(events: readonly RecordedEvent[]): {
  messages: unknown[][];
  conversations: unknown[][];
} {
  const messages: unknown[][] = [];
  const deltas = new Map<string, ConversationDelta>();
  for (const event of events) {
    const id = event.streamId.slice('conversation-'.length);
    const delta = deltas.get(id) ?? emptyDelta(id);
    delta.last_position = event.position.commit.toString();
    if (event.type === 'ConversationStarted') {
      const data = (event as RecordedEvent<ConversationStarted>).data;
      delta.subject = data.subject;
      delta.participant_count = data.participantIds.length;
    } else if (event.type === 'MessageSent') {
      const data = (event as RecordedEvent<MessageSent>).data;
      messages.push([data.messageId, id, data.authorId, data.body, data.sentAt]);
      delta.message_count += 1;
      delta.last_message_id = data.messageId;
      delta.last_message_at = data.sentAt;
      delta.last_message_preview = data.body.slice(0, 60);
    }
    deltas.set(id, delta);
  }
  const conversations = [...deltas.values()].map((d) => CONVERSATION_COLUMNS.map((c) => d[c]));
  return { messages, conversations };
}

function emptyDelta(id: string): ConversationDelta {
  return {
    id,
    subject: null,
    participant_count: null,
    message_count: 0,
    last_message_id: null,
    last_message_at: null,
    last_message_preview: null,
    last_position: '',
  };
}
