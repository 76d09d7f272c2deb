import type { ProgressEvent } from '@missive/domain';
import type { RecordedEvent } from '@missive/event-store';
import type { Projection } from '@missive/projections';
import type { Kysely, Transaction } from 'kysely';
import type { SchemalessDb, SchemalessTransaction } from '../schemaless';

export interface ProgressTable {
  id: number | string;
  user_id: number | string;
  tag: string;
  workflow_state: string;
  completion: number;
  message: string | null;
  created_at: string;
  updated_at: string;
}

export interface ProgressDatabase {
  progress: ProgressTable;
}

export interface ProgressRecord {
  id: string;
  userId: string;
  tag: string;
  workflowState: string;
  completion: number;
  message: string | null;
  createdAt: string;
  updatedAt: string;
}

/** Canvas Progress objects (`/api/v1/progress/:id`). */
export const progressProjection: Projection = {
  name: 'progress',
  version: 1,
  filter: { streamPrefixes: ['progress-'] },

  async migrate(db: SchemalessDb) {
    await db.schema
      .createTable('progress')
      .ifNotExists()
      .addColumn('id', 'bigint', (c) => c.primaryKey())
      .addColumn('user_id', 'bigint', (c) => c.notNull())
      .addColumn('tag', 'text', (c) => c.notNull())
      .addColumn('workflow_state', 'text', (c) => c.notNull())
      .addColumn('completion', 'real', (c) => c.notNull())
      .addColumn('message', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    // The job runner looks for unfinished jobs on every sweep.
    await db.schema
      .createIndex('progress_workflow_state_idx')
      .ifNotExists()
      .on('progress')
      .columns(['workflow_state', 'id'])
      .execute();
  },

  async apply(events: readonly RecordedEvent[], trx: SchemalessTransaction) {
    const tx = trx as Transaction<ProgressDatabase>;
    for (const event of events) {
      const e = { type: event.type, data: event.data } as ProgressEvent;
      if (e.type === 'ProgressQueued') {
        await tx
          .insertInto('progress')
          .values({
            id: e.data.progressId,
            user_id: e.data.userId,
            tag: e.data.tag,
            workflow_state: 'queued',
            completion: 0,
            message: null,
            created_at: e.data.createdAt,
            updated_at: e.data.createdAt,
          })
          .execute();
      } else if (e.type === 'ProgressAdvanced') {
        await tx
          .updateTable('progress')
          .set({ workflow_state: 'running', completion: e.data.completion, updated_at: e.data.at })
          .where('id', '=', e.data.progressId)
          .where('workflow_state', 'in', ['queued', 'running'])
          .execute();
      } else if (e.type === 'ProgressCompleted') {
        await tx
          .updateTable('progress')
          .set({
            workflow_state: e.data.workflowState,
            completion: 100,
            message: e.data.message,
            updated_at: e.data.at,
          })
          .where('id', '=', e.data.progressId)
          .execute();
      }
    }
  },
};

export class ProgressQueries {
  private readonly db: Kysely<ProgressDatabase>;

  constructor(db: SchemalessDb) {
    this.db = db as Kysely<ProgressDatabase>;
  }

  /** Jobs not finished yet, oldest first: the job runner's work list. */
  async unfinishedIds(limit: number): Promise<string[]> {
    const rows = await this.db
      .selectFrom('progress')
      .select('id')
      .where('workflow_state', 'in', ['queued', 'running'])
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.map((r) => String(r.id));
  }

  async find(id: string): Promise<ProgressRecord | undefined> {
    const row = await this.db
      .selectFrom('progress')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return (
      row && {
        id: String(row.id),
        userId: String(row.user_id),
        tag: row.tag,
        workflowState: row.workflow_state,
        completion: Number(row.completion),
        message: row.message,
        createdAt: row.created_at,
        updatedAt: row.updated_at,
      }
    );
  }
}
