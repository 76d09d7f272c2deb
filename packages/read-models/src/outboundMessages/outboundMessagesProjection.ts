import type { SchemalessDb, SchemalessTransaction } from '../schemaless';
import { outboundStateAfter, type OutboundEvent } from '@missive/domain';
import type { RecordedEvent } from '@missive/event-store';
import { applyAroundErasures, USER_STREAMS } from '../erasure/userErasures';
import { chunkRows, insertRows, type Projection } from '@missive/projections';
import type { Transaction } from 'kysely';
import type {
  OutboundAttemptRecord,
  OutboundMessagesDatabase,
  OutboundMessagesTable,
} from './outboundMessagesTables';

type Tx = Transaction<OutboundMessagesDatabase>;

/** A row being folded in memory: `attempts` parsed, written back as JSON. */
interface Draft {
  row: Omit<OutboundMessagesTable, 'attempts'>;
  attempts: OutboundAttemptRecord[];
}

const COLUMNS = [
  'outbound_id',
  'message_id',
  'kind',
  'user_id',
  'channel_id',
  'channel',
  'to_address',
  'from_address',
  'from_name',
  'reply_to',
  'subject',
  'body',
  'html_body',
  'media',
  'conversation_id',
  'operation_id',
  'tags',
  'scheduled_for',
  'state',
  'provider_message_id',
  'attempts',
  'created_at',
  'updated_at',
  'sent_at',
] as const satisfies readonly (keyof OutboundMessagesTable)[];

/** What later events change; everything else is fixed when the message is created. */
const MUTABLE = ['state', 'provider_message_id', 'attempts', 'updated_at', 'sent_at'] as const;

const UPSERT = {
  columns: ['outbound_id'],
  update: Object.fromEntries(MUTABLE.map((column) => [column, `excluded.${column}`])),
};

/**
 * Times are compared as text (time bounds, keyset): store one spelling, whatever the writer
 * sent. Unparsable text is kept as is rather than failing the batch.
 */
function utc(time: string): string;
function utc(time: string | null): string | null;
function utc(time: string | null): string | null {
  if (time === null) return null;
  const parsed = new Date(time);
  return Number.isNaN(parsed.getTime()) ? time : parsed.toISOString();
}

function created(event: Extract<OutboundEvent, { type: 'OutboundMessageCreated' }>): Draft {
  const { data } = event;
  const at = utc(data.createdAt);
  return {
    row: {
      outbound_id: data.outboundId,
      message_id: data.messageId,
      kind: data.kind,
      user_id: data.userId,
      channel_id: data.channelId,
      channel: data.channel,
      to_address: data.to,
      from_address: data.from,
      from_name: data.fromName,
      reply_to: data.replyTo,
      subject: data.subject,
      body: data.body,
      html_body: data.htmlBody,
      media: JSON.stringify(data.media ?? []),
      conversation_id: data.conversationId,
      operation_id: data.operationId,
      tags: JSON.stringify(data.tags ?? {}),
      scheduled_for: utc(data.scheduledFor),
      state: outboundStateAfter(event)!,
      provider_message_id: null,
      created_at: at,
      updated_at: at,
      sent_at: null,
    },
    attempts: [],
  };
}

/** The attempt an event reports on: by number when it carries one, else the latest. */
function attemptIndex(attempts: readonly OutboundAttemptRecord[], attempt?: number): number {
  if (attempt !== undefined) {
    const index = attempts.findIndex((a) => a.attempt === attempt);
    if (index >= 0) return index;
  }
  return attempts.length - 1;
}

function updateAttempt(
  draft: Draft,
  attempt: number | undefined,
  change: Partial<OutboundAttemptRecord>,
): void {
  const index = attemptIndex(draft.attempts, attempt);
  if (index < 0) return;
  draft.attempts[index] = { ...draft.attempts[index]!, ...change };
}

/** Folds one event into the message's row; mirrors evolveOutboundMessage for what we keep. */
function evolve(draft: Draft | undefined, event: OutboundEvent): Draft | undefined {
  if (event.type === 'OutboundMessageCreated') return draft ?? created(event);
  // A message whose creation was parked as poison has no row to change.
  if (!draft) return undefined;
  const before = draft.row.state;
  draft.row.state = outboundStateAfter(event) ?? before;
  switch (event.type) {
    case 'OutboundMessageQueued':
      draft.row.updated_at = utc(event.data.queuedAt);
      break;
    case 'OutboundDispatchStarted':
      draft.attempts.push({
        attempt: event.data.attempt,
        transport: event.data.transport,
        status: 'sending',
        attemptedAt: utc(event.data.startedAt),
        error: null,
      });
      draft.row.updated_at = utc(event.data.startedAt);
      break;
    case 'OutboundMessageSent':
      updateAttempt(draft, event.data.attempt, { status: 'sent' });
      draft.row.provider_message_id = event.data.providerMessageId;
      draft.row.sent_at = utc(event.data.sentAt);
      draft.row.updated_at = utc(event.data.sentAt);
      break;
    case 'OutboundAttemptFailed':
      updateAttempt(draft, event.data.attempt, { status: 'failed', error: event.data.error });
      draft.row.updated_at = utc(event.data.failedAt);
      break;
    case 'OutboundMessageBounced':
      // A bounce reported later by a provider is about the message, not about an attempt.
      if (before === 'sending') {
        updateAttempt(draft, undefined, {
          status: 'bounced',
          error: { code: 'bounced', message: event.data.reason },
        });
      }
      draft.row.updated_at = utc(event.data.bouncedAt);
      break;
    case 'OutboundMessageDelivered':
      // A receipt that overtook the transport's own answer still proves the message went out.
      draft.row.sent_at ??= utc(event.data.deliveredAt);
      draft.row.updated_at = utc(event.data.deliveredAt);
      break;
    case 'OutboundMessageUndelivered':
      draft.row.updated_at = utc(event.data.at);
      break;
    case 'OutboundMessageCancelled':
      draft.row.updated_at = utc(event.data.cancelledAt);
      break;
  }
  return draft;
}

async function loadDrafts(tx: Tx, ids: readonly string[]): Promise<Map<string, Draft>> {
  const drafts = new Map<string, Draft>();
  for (const chunk of chunkRows(ids, 1)) {
    const rows = await tx
      .selectFrom('outbound_messages')
      .selectAll()
      .where('outbound_id', 'in', chunk)
      .execute();
    for (const { attempts, ...row } of rows) {
      drafts.set(row.outbound_id, {
        row,
        attempts: JSON.parse(attempts) as OutboundAttemptRecord[],
      });
    }
  }
  return drafts;
}

/**
 * Outbound messages (`outbound-<id>` streams) as the CommMessages list, the Comms API and the
 * delivery webhook read them. A batch costs one read of the rows it touches, a fold in memory,
 * and one multi-row upsert, however many events it holds.
 */
export const outboundMessagesProjection: Projection = {
  name: 'outbound-messages',
  version: 1,
  // `user-` for UserErased: the CommMessages sent to an erased user are purged.
  filter: { streamPrefixes: ['outbound-', USER_STREAMS] },

  async migrate(db: SchemalessDb) {
    await db.schema
      .createTable('outbound_messages')
      .ifNotExists()
      .addColumn('outbound_id', 'text', (c) => c.primaryKey())
      .addColumn('message_id', 'bigint', (c) => c.notNull().unique())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('user_id', 'bigint')
      .addColumn('channel_id', 'bigint')
      .addColumn('channel', 'text', (c) => c.notNull())
      .addColumn('to_address', 'text', (c) => c.notNull())
      .addColumn('from_address', 'text', (c) => c.notNull())
      .addColumn('from_name', 'text')
      .addColumn('reply_to', 'text')
      .addColumn('subject', 'text')
      .addColumn('body', 'text', (c) => c.notNull())
      .addColumn('html_body', 'text')
      .addColumn('media', 'text', (c) => c.notNull())
      .addColumn('conversation_id', 'bigint')
      .addColumn('operation_id', 'text')
      .addColumn('tags', 'text', (c) => c.notNull())
      .addColumn('scheduled_for', 'text')
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('provider_message_id', 'text')
      .addColumn('attempts', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addColumn('sent_at', 'text')
      .execute();
    // GET /api/v1/comm_messages: one user's messages, created_at DESC, ties by id DESC.
    await db.schema
      .createIndex('outbound_messages_user_created_idx')
      .ifNotExists()
      .on('outbound_messages')
      .columns(['user_id', 'created_at desc', 'message_id desc'])
      .execute();
    // Delivery webhooks name the message by the provider's id.
    await db.schema
      .createIndex('outbound_messages_provider_idx')
      .ifNotExists()
      .on('outbound_messages')
      .column('provider_message_id')
      .execute();
  },

  async apply(events: readonly RecordedEvent[], trx: SchemalessTransaction) {
    const tx = trx as Tx;
    await applyAroundErasures(
      events,
      (chunk) => applyOutboundEvents(chunk, tx),
      async (userId) => {
        // A Comms message is its own subject (retention ends it), not a user's record.
        await tx
          .deleteFrom('outbound_messages')
          .where('user_id', '=', userId)
          .where('kind', '<>', 'comms')
          .execute();
      },
      { onlyErasures: true },
    );
  },
};

async function applyOutboundEvents(events: readonly RecordedEvent[], tx: Tx): Promise<void> {
  const byMessage = new Map<string, OutboundEvent[]>();
  for (const event of events) {
    const e = { type: event.type, data: event.data } as OutboundEvent;
    const id = e.data.outboundId;
    const list = byMessage.get(id);
    if (list) list.push(e);
    else byMessage.set(id, [e]);
  }
  // Every message of the batch, including those it creates: a duplicate creation (which the
  // aggregate never emits) is then ignored instead of resetting a row that has moved on.
  const drafts = await loadDrafts(tx, [...byMessage.keys()]);

  const rows: unknown[][] = [];
  for (const [id, list] of byMessage) {
    let draft = drafts.get(id);
    for (const event of list) draft = evolve(draft, event);
    if (!draft) continue;
    const values: Record<string, unknown> = {
      ...draft.row,
      attempts: JSON.stringify(draft.attempts),
    };
    rows.push(COLUMNS.map((column) => values[column]));
  }
  await insertRows(tx, 'outbound_messages', COLUMNS, rows, { onConflict: UPSERT });
}
