import type { RecordedEvent } from '@missive/event-store';
import { insertRows } from '@missive/projections';
import type { Transaction } from 'kysely';
import { COMMS_COUNTERS } from './commsCounters';
import { operationStatus } from './commsOperationStatus';
import type {
  CommsAttemptRecord,
  CommsDatabase,
  CommsMessagesTable,
  CommsOperationsTable,
} from './commsTables';

/*
 * The rows a batch of the Comms projection works on: loaded once per batch (in chunks), changed
 * in memory, written back with a few multi-row statements.
 */

export interface WorkingMessage {
  row: CommsMessagesTable;
  attempts: CommsAttemptRecord[];
  fresh: boolean;
  dirty: boolean;
}

export interface WorkingOperation {
  row: CommsOperationsTable;
  fresh: boolean;
  dirty: boolean;
}

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
  ...COMMS_COUNTERS,
] as const satisfies readonly (keyof CommsOperationsTable)[];

/** What changes on a message after it is created. */
const MUTABLE_MESSAGE = ['status', 'attempts', 'provider_message_id', 'updated_at'] as const;
const MUTABLE_OPERATION = OPERATION_COLUMNS.filter((c) => c !== 'id' && c !== 'created_at');

const LOAD_CHUNK = 500;

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

export async function loadMessages(
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

export async function loadOperations(
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

/** Counts are added to in memory: never let a driver's string (bigint) form concatenate. */
function numericCounts(row: CommsOperationsTable): CommsOperationsTable {
  const copy = { ...row } as Record<string, unknown>;
  for (const column of COMMS_COUNTERS) copy[column] = Number(copy[column]);
  return copy as unknown as CommsOperationsTable;
}

export async function writeMessages(
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

export async function writeOperations(
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

function quote(column: string): string {
  return `"${column}"`;
}
