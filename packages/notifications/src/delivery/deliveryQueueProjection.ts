import { type OutboundEvent, categories } from '@missive/domain';
import type { RecordedEvent } from '@missive/event-store';
import { chunkRows, insertRows, type Projection } from '@missive/projections';
import type { SchemalessDb, SchemalessTransaction } from '@missive/read-models';
import type { Transaction } from 'kysely';
import type { DeliveryQueueDatabase, DeliveryQueueTable } from './deliveryQueueTables';

/**
 * The durable work list of delivery, and with it the scheduler: a scheduled message is a row
 * due at its time, so it survives restarts like everything else in the read-model database.
 * Each row follows from the message's latest event alone.
 */
export const deliveryQueueProjection: Projection = {
  name: 'delivery-queue',
  version: 1,
  filter: { streamPrefixes: [categories.outbound] },

  async migrate(db: SchemalessDb) {
    await db.schema
      .createTable('delivery_queue')
      .ifNotExists()
      .addColumn('outbound_id', 'text', (c) => c.primaryKey())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('due_at', 'text', (c) => c.notNull())
      .addColumn('revision', 'integer', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('delivery_queue_due_idx')
      .ifNotExists()
      .on('delivery_queue')
      .columns(['due_at', 'outbound_id'])
      .execute();
  },

  async apply(events: readonly RecordedEvent[], trx: SchemalessTransaction) {
    const tx = trx as Transaction<DeliveryQueueDatabase>;
    // Only each message's last change in the batch reaches the table.
    const latest = new Map<string, DeliveryQueueTable | null>();
    for (const recorded of events) {
      const e = recorded as unknown as OutboundEvent;
      if (!e.data?.outboundId) continue;
      const row = queueRowAfter(e, recorded.revision);
      if (row !== undefined) latest.set(e.data.outboundId, row);
    }
    const upserts: DeliveryQueueTable[] = [];
    const deletes: string[] = [];
    for (const [id, row] of latest) {
      if (row) upserts.push(row);
      else deletes.push(id);
    }
    for (const ids of chunkRows(deletes, 1, 500)) {
      await tx.deleteFrom('delivery_queue').where('outbound_id', 'in', ids).execute();
    }
    await insertRows(
      tx,
      'delivery_queue',
      ['outbound_id', 'state', 'due_at', 'revision'],
      upserts.map((r) => [r.outbound_id, r.state, r.due_at, r.revision]),
      {
        onConflict: {
          columns: ['outbound_id'],
          update: {
            state: 'excluded.state',
            due_at: 'excluded.due_at',
            revision: 'excluded.revision',
          },
        },
      },
    );
  },
};

/** The row after this event; null: off the queue; undefined: no change (unknown event). */
function queueRowAfter(e: OutboundEvent, revision: number): DeliveryQueueTable | null | undefined {
  const row = (state: DeliveryQueueTable['state'], at: string): DeliveryQueueTable => ({
    outbound_id: e.data.outboundId,
    state,
    due_at: normalized(at),
    revision,
  });
  switch (e.type) {
    case 'OutboundMessageCreated':
      if (e.data.suppressed) return null;
      return e.data.scheduledFor
        ? row('scheduled', e.data.scheduledFor)
        : row('staged', e.data.createdAt);
    case 'OutboundMessageQueued':
      return row('staged', e.data.queuedAt);
    case 'OutboundDispatchStarted':
      return row('sending', e.data.startedAt);
    case 'OutboundAttemptFailed':
      return e.data.retryAt ? row('staged', e.data.retryAt) : null;
    case 'OutboundMessageSent':
    case 'OutboundMessageBounced':
    case 'OutboundMessageDelivered':
    case 'OutboundMessageUndelivered':
    case 'OutboundMessageCancelled':
      return null;
    default:
      return undefined;
  }
}

/** Times from API input may lack milliseconds or use an offset; the queue compares text. */
function normalized(at: string): string {
  const time = Date.parse(at);
  return Number.isNaN(time) ? new Date(0).toISOString() : new Date(time).toISOString();
}
