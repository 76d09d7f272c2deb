import {
  commsExpiresAt,
  commsStatus,
  outboundStateAfter,
  type CommsStatus,
  type MessageOperationEvent,
  type OutboundEvent,
} from '@missive/domain';
import type { RecordedEvent } from '@missive/event-store';
import { insertRows, type Projection } from '@missive/projections';
import type { Transaction } from 'kysely';
import type { SchemalessDb, SchemalessTransaction } from '../schemaless';
import type { CommsDatabase, CommsMessagesTable, CommsOperationsTable } from './commsTables';

/** One delivery attempt as Fetch Message shows it. */
export interface CommsAttemptRecord {
  attempt: number;
  status: CommsStatus;
  attemptedAt: string;
  error: { code: string; message: string } | null;
}

type StatColumn =
  'queued' | 'sent' | 'scheduled' | 'delivered' | 'read' | 'undelivered' | 'failed' | 'canceled';

const STAT_OF: Record<CommsStatus, StatColumn> = {
  QUEUED: 'queued',
  SENT: 'sent',
  SCHEDULED: 'scheduled',
  DELIVERED: 'delivered',
  READ: 'read',
  UNDELIVERED: 'undelivered',
  FAILED: 'failed',
  CANCELED: 'canceled',
};

const MESSAGE_COLUMNS = [
  'id',
  'operation_id',
  'status',
  'to_channel',
  'to_address',
  'from_channel',
  'from_address',
  'profile_id',
  'session_id',
  'text',
  'media',
  'tags',
  'attempts',
  'provider_message_id',
  'scheduled_for',
  'created_at',
  'updated_at',
  'expires_at',
] as const satisfies readonly (keyof CommsMessagesTable)[];

const OPERATION_COLUMNS = [
  'id',
  'status',
  'scheduled_for',
  'processed_at',
  'created_at',
  'updated_at',
  'expires_at',
  'total',
  'recipients',
  'attempts',
  'unaddressable',
  'queued',
  'sent',
  'scheduled',
  'delivered',
  'read',
  'undelivered',
  'failed',
  'canceled',
] as const satisfies readonly (keyof CommsOperationsTable)[];

/** What changes on a message after it is created. */
const MUTABLE_MESSAGE = ['status', 'attempts', 'provider_message_id', 'updated_at'] as const;
const MUTABLE_OPERATION = OPERATION_COLUMNS.filter((c) => c !== 'id' && c !== 'created_at');

const LOAD_CHUNK = 500;

interface WorkingMessage {
  row: CommsMessagesTable;
  attempts: CommsAttemptRecord[];
  fresh: boolean;
  dirty: boolean;
}

interface WorkingOperation {
  row: CommsOperationsTable;
  fresh: boolean;
  dirty: boolean;
}

/**
 * Comms messages (every outbound message of kind `comms`) and their operations, with stats
 * kept as running per-status counts: each status change moves one count from the old status
 * to the new. A batch is applied in memory over the rows it touches (loaded once) and written
 * back with a few multi-row statements, so a 10,000-recipient send projects in a handful of
 * round trips rather than one per event.
 */
export const commsProjection: Projection = {
  name: 'comms',
  version: 1,
  filter: { streamPrefixes: ['outbound-', 'operation-'] },

  async migrate(db: SchemalessDb) {
    await db.schema
      .createTable('comms_messages')
      .ifNotExists()
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('operation_id', 'text')
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('to_channel', 'text', (c) => c.notNull())
      .addColumn('to_address', 'text', (c) => c.notNull())
      .addColumn('from_channel', 'text', (c) => c.notNull())
      .addColumn('from_address', 'text', (c) => c.notNull())
      .addColumn('profile_id', 'text')
      .addColumn('session_id', 'text')
      .addColumn('text', 'text')
      .addColumn('media', 'text', (c) => c.notNull())
      .addColumn('tags', 'text', (c) => c.notNull())
      .addColumn('attempts', 'text', (c) => c.notNull())
      .addColumn('provider_message_id', 'text')
      .addColumn('scheduled_for', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'text', (c) => c.notNull())
      .execute();
    // Each filter the list offers leads an index that ends in the keyset column.
    for (const column of ['operation_id', 'status', 'from_channel', 'profile_id', 'session_id']) {
      await db.schema
        .createIndex(`comms_messages_${column}_idx`)
        .ifNotExists()
        .on('comms_messages')
        .columns([column, 'id'])
        .execute();
    }
    await db.schema
      .createIndex('comms_messages_provider_message_id_idx')
      .ifNotExists()
      .on('comms_messages')
      .column('provider_message_id')
      .execute();
    await db.schema
      .createTable('comms_message_tags')
      .ifNotExists()
      .addColumn('key', 'text', (c) => c.notNull())
      .addColumn('value', 'text', (c) => c.notNull())
      .addColumn('message_id', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('comms_message_tags_pk', ['key', 'value', 'message_id'])
      .execute();
    await db.schema
      .createIndex('comms_message_tags_message_idx')
      .ifNotExists()
      .on('comms_message_tags')
      .column('message_id')
      .execute();
    await db.schema
      .createTable('comms_tag_counts')
      .ifNotExists()
      .addColumn('key', 'text', (c) => c.notNull())
      .addColumn('value', 'text', (c) => c.notNull())
      .addColumn('messages', 'integer', (c) => c.notNull())
      .addPrimaryKeyConstraint('comms_tag_counts_pk', ['key', 'value'])
      .execute();
    await db.schema
      .createTable('comms_operations')
      .ifNotExists()
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('scheduled_for', 'text')
      .addColumn('processed_at', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'text', (c) => c.notNull())
      .addColumn('total', 'integer', (c) => c.notNull())
      .addColumn('recipients', 'integer', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull())
      .addColumn('unaddressable', 'integer', (c) => c.notNull())
      .addColumn('queued', 'integer', (c) => c.notNull())
      .addColumn('sent', 'integer', (c) => c.notNull())
      .addColumn('scheduled', 'integer', (c) => c.notNull())
      .addColumn('delivered', 'integer', (c) => c.notNull())
      .addColumn('read', 'integer', (c) => c.notNull())
      .addColumn('undelivered', 'integer', (c) => c.notNull())
      .addColumn('failed', 'integer', (c) => c.notNull())
      .addColumn('canceled', 'integer', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('comms_operations_status_idx')
      .ifNotExists()
      .on('comms_operations')
      .columns(['status', 'id'])
      .execute();
    // No index on `expires_at`: SQLite, without statistics, would take it for the lists'
    // `expires_at > now` and sort every row; the hourly purge scans instead.
  },

  async apply(events: readonly RecordedEvent[], trx: SchemalessTransaction) {
    const tx = trx as Transaction<CommsDatabase>;
    const messages = await loadMessages(tx, events);
    const operations = await loadOperations(tx, events, messages);

    for (const recorded of events) {
      const event = { type: recorded.type, data: recorded.data } as
        OutboundEvent | MessageOperationEvent;
      switch (event.type) {
        case 'MessageOperationCreated':
          createOperation(operations, event.data);
          break;
        case 'MessageOperationClaimed':
          break; // who runs the fan-out is not shown
        case 'MessageOperationProcessed': {
          const op = operations.get(event.data.operationId);
          if (!op) break;
          op.row.processed_at = event.data.processedAt;
          op.row.updated_at = later(op.row.updated_at, event.data.processedAt);
          op.dirty = true;
          break;
        }
        case 'OutboundMessageCreated': {
          if (event.data.kind !== 'comms' || messages.has(event.data.outboundId)) break;
          const message = newMessage(event);
          messages.set(message.row.id, message);
          const op = message.row.operation_id ? operations.get(message.row.operation_id) : null;
          if (op) {
            op.row[STAT_OF[message.row.status as CommsStatus]] += 1;
            op.dirty = true;
          }
          break;
        }
        default: {
          const message = messages.get(event.data.outboundId);
          if (!message) break; // not a Comms message, or already purged
          const op = message.row.operation_id ? operations.get(message.row.operation_id) : null;
          const before = message.row.status as CommsStatus;
          evolveMessage(message, event);
          const after = message.row.status as CommsStatus;
          if (op) {
            if (before !== after) {
              op.row[STAT_OF[before]] -= 1;
              op.row[STAT_OF[after]] += 1;
            }
            if (event.type === 'OutboundDispatchStarted') op.row.attempts += 1;
            op.row.updated_at = later(op.row.updated_at, message.row.updated_at);
            op.dirty = true;
          }
        }
      }
    }
    await writeMessages(tx, messages);
    await writeOperations(tx, operations);
  },
};

function later(a: string, b: string): string {
  return a > b ? a : b;
}

/** Messages the batch changes but did not create: their rows must be read first. */
function existingMessageIds(events: readonly RecordedEvent[]): Set<string> {
  const created = new Set<string>();
  const existing = new Set<string>();
  for (const event of events) {
    if (!event.streamId.startsWith('outbound-')) continue;
    const { outboundId } = event.data as { outboundId: string };
    if (event.type === 'OutboundMessageCreated') created.add(outboundId);
    else if (!created.has(outboundId)) existing.add(outboundId);
  }
  return existing;
}

async function loadMessages(
  tx: Transaction<CommsDatabase>,
  events: readonly RecordedEvent[],
): Promise<Map<string, WorkingMessage>> {
  const ids = [...existingMessageIds(events)];
  const messages = new Map<string, WorkingMessage>();
  for (let i = 0; i < ids.length; i += LOAD_CHUNK) {
    const rows = await tx
      .selectFrom('comms_messages')
      .selectAll()
      .where('id', 'in', ids.slice(i, i + LOAD_CHUNK))
      .execute();
    for (const row of rows) {
      messages.set(row.id, {
        row,
        attempts: JSON.parse(row.attempts) as CommsAttemptRecord[],
        fresh: false,
        dirty: false,
      });
    }
  }
  return messages;
}

async function loadOperations(
  tx: Transaction<CommsDatabase>,
  events: readonly RecordedEvent[],
  messages: Map<string, WorkingMessage>,
): Promise<Map<string, WorkingOperation>> {
  const ids = new Set<string>();
  for (const message of messages.values()) {
    if (message.row.operation_id) ids.add(message.row.operation_id);
  }
  for (const event of events) {
    if (event.type === 'MessageOperationCreated') continue;
    const { operationId } = event.data as { operationId?: string | null };
    if (operationId) ids.add(operationId);
  }
  const list = [...ids];
  const operations = new Map<string, WorkingOperation>();
  for (let i = 0; i < list.length; i += LOAD_CHUNK) {
    const rows = await tx
      .selectFrom('comms_operations')
      .selectAll()
      .where('id', 'in', list.slice(i, i + LOAD_CHUNK))
      .execute();
    for (const row of rows) {
      operations.set(row.id, { row: numericCounts(row), fresh: false, dirty: false });
    }
  }
  return operations;
}

const COUNT_COLUMNS = OPERATION_COLUMNS.filter(
  (c) => !['id', 'status', 'scheduled_for', 'processed_at'].includes(c) && !c.endsWith('_at'),
);

/** Counts are added to in memory: never let a driver's string (bigint) form concatenate. */
function numericCounts(row: CommsOperationsTable): CommsOperationsTable {
  const copy = { ...row } as Record<string, unknown>;
  for (const column of COUNT_COLUMNS) copy[column] = Number(copy[column]);
  return copy as unknown as CommsOperationsTable;
}

function createOperation(
  operations: Map<string, WorkingOperation>,
  data: Extract<MessageOperationEvent, { type: 'MessageOperationCreated' }>['data'],
): void {
  if (operations.has(data.operationId)) return;
  operations.set(data.operationId, {
    row: {
      id: data.operationId,
      status: 'PROCESSING',
      scheduled_for: data.scheduledFor,
      processed_at: null,
      created_at: data.createdAt,
      updated_at: data.createdAt,
      expires_at: commsExpiresAt(data.createdAt, data.scheduledFor),
      // The documented example counts an unaddressable recipient in `total`: total is the
      // recipients' messages whether or not they could be created.
      total: data.recipients,
      recipients: data.recipients,
      attempts: 0,
      unaddressable: data.unaddressable,
      queued: 0,
      sent: 0,
      scheduled: 0,
      delivered: 0,
      read: 0,
      undelivered: 0,
      failed: 0,
      canceled: 0,
    },
    fresh: true,
    dirty: true,
  });
}

function newMessage(
  event: Extract<OutboundEvent, { type: 'OutboundMessageCreated' }>,
): WorkingMessage {
  const data = event.data;
  const whatsapp = data.channel === 'whatsapp';
  return {
    row: {
      id: data.outboundId,
      operation_id: data.operationId,
      status: commsStatus(outboundStateAfter(event)!),
      to_channel: whatsapp ? 'WHATSAPP' : 'PHONE',
      to_address: data.to,
      // Only SMS (PHONE) and WhatsApp senders exist here, so the sender channel follows.
      from_channel: whatsapp ? 'WHATSAPP' : 'SMS',
      from_address: data.from,
      profile_id: null,
      session_id: null,
      text: data.body === '' ? null : data.body,
      media: JSON.stringify(data.media),
      tags: JSON.stringify(data.tags),
      attempts: '[]',
      provider_message_id: null,
      scheduled_for: data.scheduledFor,
      created_at: data.createdAt,
      updated_at: data.createdAt,
      expires_at: commsExpiresAt(data.createdAt, data.scheduledFor),
    },
    attempts: [],
    fresh: true,
    dirty: true,
  };
}

function eventTime(event: Exclude<OutboundEvent, { type: 'OutboundMessageCreated' }>): string {
  switch (event.type) {
    case 'OutboundMessageQueued':
      return event.data.queuedAt;
    case 'OutboundDispatchStarted':
      return event.data.startedAt;
    case 'OutboundMessageSent':
      return event.data.sentAt;
    case 'OutboundAttemptFailed':
      return event.data.failedAt;
    case 'OutboundMessageBounced':
      return event.data.bouncedAt;
    case 'OutboundMessageDelivered':
      return event.data.deliveredAt;
    case 'OutboundMessageUndelivered':
      return event.data.at;
    case 'OutboundMessageCancelled':
      return event.data.cancelledAt;
  }
}

/** The message's status follows the domain's own mapping; its last attempt follows receipts. */
function evolveMessage(
  message: WorkingMessage,
  event: Exclude<OutboundEvent, { type: 'OutboundMessageCreated' }>,
): void {
  const state = outboundStateAfter(event);
  if (state) message.row.status = commsStatus(state);
  message.row.updated_at = later(message.row.updated_at, eventTime(event));
  const last = message.attempts[message.attempts.length - 1];
  switch (event.type) {
    case 'OutboundDispatchStarted':
      message.attempts.push({
        attempt: event.data.attempt,
        status: 'QUEUED',
        attemptedAt: event.data.startedAt,
        error: null,
      });
      break;
    case 'OutboundMessageSent':
      if (last) last.status = 'SENT';
      message.row.provider_message_id = event.data.providerMessageId;
      break;
    case 'OutboundAttemptFailed':
      if (last) Object.assign(last, { status: 'FAILED', error: event.data.error });
      break;
    case 'OutboundMessageBounced':
      if (last) {
        Object.assign(last, {
          status: 'UNDELIVERED',
          error: { code: 'bounced', message: event.data.reason },
        });
      }
      break;
    case 'OutboundMessageDelivered':
      if (last) last.status = 'DELIVERED';
      break;
    case 'OutboundMessageUndelivered':
      if (last) Object.assign(last, { status: 'UNDELIVERED', error: event.data.error });
      break;
  }
  message.dirty = true;
}

async function writeMessages(
  tx: Transaction<CommsDatabase>,
  messages: Map<string, WorkingMessage>,
): Promise<void> {
  const fresh: unknown[][] = [];
  const changed: unknown[][] = [];
  const tags: unknown[][] = [];
  for (const message of messages.values()) {
    if (!message.dirty) continue;
    message.row.attempts = JSON.stringify(message.attempts);
    const values = MESSAGE_COLUMNS.map((column) => message.row[column]);
    if (message.fresh) {
      fresh.push(values);
      const messageTags = JSON.parse(message.row.tags) as Record<string, string>;
      for (const [key, value] of Object.entries(messageTags))
        tags.push([key, value, message.row.id]);
    } else {
      changed.push(values);
    }
  }
  await insertRows(tx, 'comms_messages', MESSAGE_COLUMNS, fresh, {
    onConflict: { columns: ['id'] },
  });
  await insertRows(tx, 'comms_message_tags', ['key', 'value', 'message_id'], tags, {
    onConflict: { columns: ['key', 'value', 'message_id'] },
  });
  const counts = new Map<string, [string, string, number]>();
  for (const [key, value] of tags as [string, string, string][]) {
    const pair = `${key}:${value}`;
    const count = counts.get(pair) ?? [key, value, 0];
    count[2] += 1;
    counts.set(pair, count);
  }
  await insertRows(tx, 'comms_tag_counts', ['key', 'value', 'messages'], [...counts.values()], {
    onConflict: {
      columns: ['key', 'value'],
      update: { messages: '"comms_tag_counts"."messages" + excluded."messages"' },
    },
  });
  await insertRows(tx, 'comms_messages', MESSAGE_COLUMNS, changed, {
    onConflict: {
      columns: ['id'],
      update: Object.fromEntries(MUTABLE_MESSAGE.map((c) => [c, `excluded.${quote(c)}`])),
    },
  });
}

async function writeOperations(
  tx: Transaction<CommsDatabase>,
  operations: Map<string, WorkingOperation>,
): Promise<void> {
  const rows: unknown[][] = [];
  for (const op of operations.values()) {
    if (!op.dirty) continue;
    op.row.status = operationStatus(op.row);
    rows.push(OPERATION_COLUMNS.map((column) => op.row[column]));
  }
  await insertRows(tx, 'comms_operations', OPERATION_COLUMNS, rows, {
    onConflict: {
      columns: ['id'],
      update: Object.fromEntries(MUTABLE_OPERATION.map((c) => [c, `excluded.${quote(c)}`])),
    },
  });
}

/**
 * SCHEDULED while messages wait for their time, PROCESSING while the messages
 * are being created, then COMPLETED (processing has finished, whatever was delivered);
 * CANCELED once every message was canceled.
 */
export function operationStatus(row: CommsOperationsTable): string {
  const messages = row.total - row.unaddressable;
  if (!row.processed_at) return row.scheduled_for ? 'SCHEDULED' : 'PROCESSING';
  if (messages > 0 && row.canceled === messages) return 'CANCELED';
  return row.scheduled > 0 ? 'SCHEDULED' : 'COMPLETED';
}

function quote(column: string): string {
  return `"${column}"`;
}
