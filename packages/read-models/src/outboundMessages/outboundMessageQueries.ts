import type { SchemalessDb } from '../schemaless';
import type {
  OutboundChannel,
  OutboundKind,
  OutboundMessageCreated,
  OutboundState,
} from '@missive/domain';
import type { Kysely } from 'kysely';
import type { Page } from '../conversations/conversationQueries';
import type {
  OutboundAttemptRecord,
  OutboundMessagesDatabase,
  OutboundMessagesTable,
} from './outboundMessagesTables';

/**
 * An outbound message as the read model holds it: the message as created (the domain's
 * shape, without the process-manager bookkeeping of `cause` and `suppressed`) and where its
 * delivery stands.
 */
export interface OutboundMessageRecord extends Omit<
  OutboundMessageCreated['data'],
  'cause' | 'suppressed'
> {
  state: OutboundState;
  providerMessageId: string | null;
  attempts: OutboundAttemptRecord[];
  updatedAt: string;
  sentAt: string | null;
}

const idOrNull = (value: number | string | null): string | null =>
  value === null ? null : String(value);

function toRecord(row: OutboundMessagesTable): OutboundMessageRecord {
  return {
    outboundId: row.outbound_id,
    messageId: String(row.message_id),
    kind: row.kind as OutboundKind,
    userId: idOrNull(row.user_id),
    channelId: idOrNull(row.channel_id),
    channel: row.channel as OutboundChannel,
    to: row.to_address,
    from: row.from_address,
    fromName: row.from_name,
    replyTo: row.reply_to,
    subject: row.subject,
    body: row.body,
    htmlBody: row.html_body,
    media: JSON.parse(row.media) as string[],
    conversationId: idOrNull(row.conversation_id),
    operationId: row.operation_id,
    tags: JSON.parse(row.tags) as Record<string, string>,
    scheduledFor: row.scheduled_for,
    state: row.state,
    providerMessageId: row.provider_message_id,
    attempts: JSON.parse(row.attempts) as OutboundAttemptRecord[],
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    sentAt: row.sent_at,
  };
}

/** A position in the CommMessages order: the last row of the page before. */
export interface CommMessageCursor {
  createdAt: string;
  messageId: string;
}

export interface CommMessagesQuery {
  userId: string;
  /** Inclusive bounds on `created_at`, as `toISOString()` text or Dates. */
  startTime?: Date | string;
  endTime?: Date | string;
  limit: number;
  /** Canvas page numbers: rows to skip. */
  offset?: number;
  /** Keyset paging instead of `offset`: rows after this one in the order. */
  after?: CommMessageCursor;
}

const iso = (time: Date | string): string => (typeof time === 'string' ? time : time.toISOString());

function userMessages(db: Kysely<OutboundMessagesDatabase>, query: CommMessagesQuery) {
  let q = db.selectFrom('outbound_messages').where('user_id', '=', query.userId);
  if (query.startTime !== undefined) q = q.where('created_at', '>=', iso(query.startTime));
  if (query.endTime !== undefined) q = q.where('created_at', '<=', iso(query.endTime));
  return q;
}

/**
 * One page of a user's outbound messages, newest first (created_at DESC, ties by id DESC, the
 * index order), plus how many match in all (Canvas's `last` link).
 */
export async function listCommMessages(
  database: SchemalessDb,
  query: CommMessagesQuery,
): Promise<Page<OutboundMessageRecord>> {
  const db = database as Kysely<OutboundMessagesDatabase>;
  let page = userMessages(db, query).selectAll();
  const after = query.after;
  if (after) {
    page = page.where((eb) =>
      eb.or([
        eb('created_at', '<', after.createdAt),
        eb.and([eb('created_at', '=', after.createdAt), eb('message_id', '<', after.messageId)]),
      ]),
    );
  }
  const [rows, count] = await Promise.all([
    page
      .orderBy('created_at', 'desc')
      .orderBy('message_id', 'desc')
      .limit(query.limit)
      .offset(after ? 0 : (query.offset ?? 0))
      .execute(),
    userMessages(db, query)
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .executeTakeFirstOrThrow(),
  ]);
  return { items: rows.map(toRecord), total: Number(count.n) };
}

export async function findOutbound(
  database: SchemalessDb,
  outboundId: string,
): Promise<OutboundMessageRecord | undefined> {
  const row = await (database as Kysely<OutboundMessagesDatabase>)
    .selectFrom('outbound_messages')
    .selectAll()
    .where('outbound_id', '=', outboundId)
    .executeTakeFirst();
  return row && toRecord(row);
}

/**
 * The message a transport's id names (delivery webhooks). Providers' ids are unique per
 * provider; should two transports ever reuse one, the newest message wins.
 */
export async function findOutboundByProviderId(
  database: SchemalessDb,
  providerMessageId: string,
): Promise<OutboundMessageRecord | undefined> {
  const row = await (database as Kysely<OutboundMessagesDatabase>)
    .selectFrom('outbound_messages')
    .selectAll()
    .where('provider_message_id', '=', providerMessageId)
    .orderBy('created_at', 'desc')
    .orderBy('message_id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row && toRecord(row);
}
