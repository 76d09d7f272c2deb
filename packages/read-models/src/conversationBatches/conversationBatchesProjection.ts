import type { ConversationBatchEvent, UserErased } from '@missive/domain';
import { ERASED_PLACEHOLDERS } from '@missive/personal-data';
import type { RecordedEvent } from '@missive/event-store';
import type { Projection } from '@missive/projections';
import { sql, type Kysely, type Transaction } from 'kysely';
import { USER_STREAMS } from '../erasure/userErasures';
import type { SchemalessDb, SchemalessTransaction } from '../schemaless';

export interface ConversationBatchesTable {
  id: number | string;
  user_id: number | string;
  workflow_state: string;
  recipient_count: number;
  body: string;
  subject: string | null;
  media_comment: string | null;
  tags: string;
  created_at: string;
  updated_at: string;
  root_message_id: number | string | null;
}

interface Db {
  conversation_batches: ConversationBatchesTable;
}

export interface ConversationBatchRecord {
  id: string;
  userId: string;
  workflowState: string;
  recipientCount: number;
  body: string;
  mediaComment: { mediaId: string; mediaType: string } | null;
  tags: string[];
  createdAt: string;
  /** The batch's own message (null for batches started before it was recorded). */
  rootMessageId: string | null;
}

/**
 * A table created before `root_message_id` gets the column (empty: those batches' messages
 * had no id of their own). The probe runs in a savepoint, since a failed statement would
 * abort a PostgreSQL transaction.
 */
async function addRootMessageId(db: SchemalessDb): Promise<void> {
  await sql`SAVEPOINT root_message_probe`.execute(db);
  try {
    await sql`SELECT root_message_id FROM conversation_batches WHERE 1 = 0`.execute(db);
    await sql`RELEASE SAVEPOINT root_message_probe`.execute(db);
    return;
  } catch {
    await sql`ROLLBACK TO SAVEPOINT root_message_probe`.execute(db);
    await sql`RELEASE SAVEPOINT root_message_probe`.execute(db);
  }
  await db.schema
    .alterTable('conversation_batches')
    .addColumn('root_message_id', 'bigint')
    .execute();
}

/** Async conversation batches (GET /api/v1/conversations/batches lists the unfinished ones). */
export const conversationBatchesProjection: Projection = {
  name: 'conversation-batches',
  version: 1,
  // `user-` for UserErased: the text of an erased user's batches reads as the placeholder.
  filter: { streamPrefixes: ['conversationbatch-', USER_STREAMS] },

  async migrate(db: SchemalessDb) {
    await db.schema
      .createTable('conversation_batches')
      .ifNotExists()
      .addColumn('id', 'bigint', (c) => c.primaryKey())
      .addColumn('user_id', 'bigint', (c) => c.notNull())
      .addColumn('workflow_state', 'text', (c) => c.notNull())
      .addColumn('recipient_count', 'integer', (c) => c.notNull())
      .addColumn('body', 'text', (c) => c.notNull())
      .addColumn('subject', 'text')
      .addColumn('media_comment', 'text')
      .addColumn('tags', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addColumn('root_message_id', 'bigint')
      .execute();
    await addRootMessageId(db);
    await db.schema
      .createIndex('conversation_batches_user_idx')
      .ifNotExists()
      .on('conversation_batches')
      .columns(['user_id', 'workflow_state', 'id'])
      .execute();
    // The job runner looks for unfinished batches of every user on each sweep.
    await db.schema
      .createIndex('conversation_batches_state_idx')
      .ifNotExists()
      .on('conversation_batches')
      .columns(['workflow_state', 'id'])
      .execute();
  },

  async apply(events: readonly RecordedEvent[], trx: SchemalessTransaction) {
    const tx = trx as Transaction<Db>;
    for (const event of events) {
      if (event.streamId.startsWith(USER_STREAMS)) {
        if (event.type === 'UserErased') {
          const { userId } = event.data as UserErased['data'];
          await tx
            .updateTable('conversation_batches')
            .set({
              body: ERASED_PLACEHOLDERS.text,
              subject: sql<
                string | null
              >`CASE WHEN subject IS NULL THEN NULL ELSE ${ERASED_PLACEHOLDERS.text} END`,
            })
            .where('user_id', '=', userId)
            .execute();
        }
        continue;
      }
      const e = { type: event.type, data: event.data } as ConversationBatchEvent;
      if (e.type === 'ConversationBatchStarted') {
        await tx
          .insertInto('conversation_batches')
          .values({
            id: e.data.batchId,
            user_id: e.data.userId,
            // Canvas's batch goes created -> sending -> sent; the job starts at once.
            workflow_state: 'sending',
            recipient_count: e.data.recipientIds.length,
            body: e.data.body,
            subject: e.data.subject,
            media_comment: e.data.mediaComment ? JSON.stringify(e.data.mediaComment) : null,
            tags: JSON.stringify(e.data.tags),
            created_at: e.data.createdAt,
            updated_at: e.data.createdAt,
            root_message_id: e.data.rootMessageId ?? null,
          })
          .execute();
      } else if (e.type === 'ConversationBatchFinished') {
        await tx
          .updateTable('conversation_batches')
          .set({ workflow_state: e.data.workflowState, updated_at: e.data.at })
          .where('id', '=', e.data.batchId)
          .execute();
      }
    }
  },
};

export class ConversationBatchQueries {
  private readonly db: Kysely<Db>;

  constructor(db: SchemalessDb) {
    this.db = db as Kysely<Db>;
  }

  /** Batches of any user still sending, oldest first: the job runner's work list. */
  async unfinishedIds(limit: number): Promise<string[]> {
    const rows = await this.db
      .selectFrom('conversation_batches')
      .select('id')
      .where('workflow_state', 'in', ['created', 'sending'])
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.map((r) => String(r.id));
  }

  /** The user's batches still in `created` or `sending`, by id, one page plus the total. */
  async unfinished(userId: string, { limit, offset }: { limit: number; offset: number }) {
    const base = this.db
      .selectFrom('conversation_batches')
      .where('user_id', '=', userId)
      .where('workflow_state', 'in', ['created', 'sending']);
    const [rows, total] = await Promise.all([
      base.selectAll().orderBy('id').limit(limit).offset(offset).execute(),
      base.select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return {
      items: rows.map((row): ConversationBatchRecord => ({
        id: String(row.id),
        userId: String(row.user_id),
        workflowState: row.workflow_state,
        recipientCount: row.recipient_count,
        body: row.body,
        mediaComment: row.media_comment ? JSON.parse(row.media_comment) : null,
        tags: JSON.parse(row.tags) as string[],
        createdAt: row.created_at,
        rootMessageId: row.root_message_id === null ? null : String(row.root_message_id),
      })),
      total: Number(total.n),
    };
  }

  async state(id: string): Promise<string | undefined> {
    const row = await this.db
      .selectFrom('conversation_batches')
      .select('workflow_state')
      .where('id', '=', id)
      .executeTakeFirst();
    return row?.workflow_state;
  }
}
