import { encodeUlid, type CommsStatus } from '@missive/domain';
import type { Kysely, SelectQueryBuilder } from 'kysely';
import type { SchemalessDb } from '../schemaless';
import type { CommsAttemptRecord } from './commsProjection';
import type {
  CommsDatabase,
  CommsMessageTagsTable,
  CommsMessagesTable,
  CommsOperationsTable,
} from './commsTables';

/** The list's query sees messages as `m` and the first tag filter's rows as `t0`. */
type MessageQuery = SelectQueryBuilder<
  CommsDatabase & { m: CommsMessagesTable; t0: CommsMessageTagsTable },
  'm' | 't0',
  CommsMessagesTable
>;

export interface CommsMessageRecord {
  /** Lowercase ULID, without the `comms_message_` prefix. */
  id: string;
  operationId: string | null;
  status: CommsStatus;
  to: { address: string; channel: 'PHONE' | 'WHATSAPP' };
  from: { address: string; channel: 'SMS' | 'WHATSAPP' };
  text: string | null;
  media: string[];
  tags: Record<string, string>;
  attempts: CommsAttemptRecord[];
  providerMessageId: string | null;
  scheduledFor: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface CommsOperationStats {
  total: number;
  recipients: number;
  attempts: number;
  unaddressable: number;
  queued: number;
  sent: number;
  scheduled: number;
  delivered: number;
  read: number;
  undelivered: number;
  failed: number;
  canceled: number;
}

export interface CommsOperationRecord {
  id: string;
  status: 'SCHEDULED' | 'PROCESSING' | 'COMPLETED' | 'CANCELED';
  stats: CommsOperationStats;
  createdAt: string;
  updatedAt: string;
}

/** Created after / before are exclusive, as "after" and "before" read. */
interface CreatedRange {
  createdAfter?: Date;
  createdBefore?: Date;
}

export interface CommsMessageFilter extends CreatedRange {
  operationId?: string;
  sessionId?: string;
  profileId?: string;
  /** Sender channel: SMS, RCS or WHATSAPP. */
  channel?: string;
  status?: string;
  /** Every pair must be on the message. */
  tags?: ReadonlyArray<readonly [string, string]>;
}

export interface CommsOperationFilter extends CreatedRange {
  status?: string;
}

/**
 * Newest first. `after` is the id of the last item of the previous page (a keyset cursor):
 * a page never skips or repeats an item, whatever is added meanwhile.
 */
export interface KeysetRequest {
  after: string | null;
  limit: number;
}

export interface KeysetPage<T> {
  items: T[];
  hasMore: boolean;
}

const NO_ENTROPY = new Uint8Array(10);

/** The smallest id of anything created in that millisecond: ids begin with their time. */
function firstIdAt(ms: number): string {
  return encodeUlid(ms, NO_ENTROPY);
}

function toMessage(row: CommsMessagesTable): CommsMessageRecord {
  return {
    id: row.id,
    operationId: row.operation_id,
    status: row.status as CommsStatus,
    to: { address: row.to_address, channel: row.to_channel as 'PHONE' | 'WHATSAPP' },
    from: { address: row.from_address, channel: row.from_channel as 'SMS' | 'WHATSAPP' },
    text: row.text,
    media: JSON.parse(row.media) as string[],
    tags: JSON.parse(row.tags) as Record<string, string>,
    attempts: JSON.parse(row.attempts) as CommsAttemptRecord[],
    providerMessageId: row.provider_message_id,
    scheduledFor: row.scheduled_for,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function toOperation(row: CommsOperationsTable): CommsOperationRecord {
  const n = (value: unknown) => Number(value);
  return {
    id: row.id,
    status: row.status as CommsOperationRecord['status'],
    stats: {
      total: n(row.total),
      recipients: n(row.recipients),
      attempts: n(row.attempts),
      unaddressable: n(row.unaddressable),
      queued: n(row.queued),
      sent: n(row.sent),
      scheduled: n(row.scheduled),
      delivered: n(row.delivered),
      read: n(row.read),
      undelivered: n(row.undelivered),
      failed: n(row.failed),
      canceled: n(row.canceled),
    },
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/**
 * What `/v1/Messages` reads. Every query takes `now` and leaves out records past their
 * retention (`expires_at`), whether or not the purge has removed them yet.
 */
export class CommsQueries {
  private readonly db: Kysely<CommsDatabase>;

  constructor(db: SchemalessDb) {
    this.db = db as Kysely<CommsDatabase>;
  }

  async findMessage(id: string, now: Date): Promise<CommsMessageRecord | undefined> {
    const row = await this.db
      .selectFrom('comms_messages')
      .selectAll()
      .where('id', '=', id)
      .where('expires_at', '>', now.toISOString())
      .executeTakeFirst();
    return row && toMessage(row);
  }

  /** Seek: the message a provider's id (SM/MM SID) belongs to. */
  async findMessageIdByProviderId(
    providerMessageId: string,
    now: Date,
  ): Promise<string | undefined> {
    const row = await this.db
      .selectFrom('comms_messages')
      .select('id')
      .where('provider_message_id', '=', providerMessageId)
      .where('expires_at', '>', now.toISOString())
      .orderBy('id', 'desc')
      .executeTakeFirst();
    return row?.id;
  }

  async listMessages(
    filter: CommsMessageFilter,
    page: KeysetRequest,
    now: Date,
  ): Promise<KeysetPage<CommsMessageRecord>> {
    const tags = await this.rarestFirst(filter.tags ?? []);
    if (tags === null) return { items: [], hasMore: false };
    const [first, ...rest] = tags;
    // With tags, walk the rarest tag's index in id order and join the messages: any one tag's
    // rows are an index-ordered superset of the answer, and the rarest is the smallest.
    let query: MessageQuery;
    let key: 'm.id' | 't0.message_id';
    if (first) {
      key = 't0.message_id';
      // CROSS JOIN: SQLite then keeps `t0` the outer loop, so rows come in the tag index's
      // id order and LIMIT stops the walk early; left to itself, without statistics, it may
      // drive from another filter's index and sort every match. PostgreSQL plans it as a join.
      query = this.db
        .selectFrom('comms_message_tags as t0')
        .crossJoin('comms_messages as m')
        .whereRef('m.id', '=', 't0.message_id')
        .selectAll('m')
        .where('t0.key', '=', first[0])
        .where('t0.value', '=', first[1]) as unknown as MessageQuery;
    } else {
      key = 'm.id';
      query = this.db.selectFrom('comms_messages as m').selectAll('m') as unknown as MessageQuery;
    }
    for (const [tagKey, tagValue] of rest) {
      query = query.where(({ exists, selectFrom }) =>
        exists(
          selectFrom('comms_message_tags as t')
            .select('t.message_id')
            .whereRef('t.message_id', '=', key)
            .where('t.key', '=', tagKey)
            .where('t.value', '=', tagValue),
        ),
      );
    }
    if (filter.operationId !== undefined)
      query = query.where('m.operation_id', '=', filter.operationId);
    if (filter.sessionId !== undefined) query = query.where('m.session_id', '=', filter.sessionId);
    if (filter.profileId !== undefined) query = query.where('m.profile_id', '=', filter.profileId);
    if (filter.channel !== undefined) query = query.where('m.from_channel', '=', filter.channel);
    if (filter.status !== undefined) query = query.where('m.status', '=', filter.status);
    query = query.where('m.expires_at', '>', now.toISOString());
    query = withinRange(query, key, 'm.created_at', filter, page.after);
    const rows = await query
      .orderBy(key, 'desc')
      .limit(page.limit + 1)
      .execute();
    return {
      items: rows.slice(0, page.limit).map(toMessage),
      hasMore: rows.length > page.limit,
    };
  }

  /** The filter's tags, rarest first; null when one of them is on no message at all. */
  private async rarestFirst(
    tags: ReadonlyArray<readonly [string, string]>,
  ): Promise<ReadonlyArray<readonly [string, string]> | null> {
    if (tags.length < 2) return tags;
    const rows = await this.db
      .selectFrom('comms_tag_counts')
      .select(['key', 'value', 'messages'])
      .where((eb) =>
        eb.or(tags.map(([key, value]) => eb.and([eb('key', '=', key), eb('value', '=', value)]))),
      )
      .execute();
    const count = new Map(rows.map((r) => [`${r.key}:${r.value}`, Number(r.messages)]));
    const counted = tags.map((tag) => ({ tag, n: count.get(`${tag[0]}:${tag[1]}`) ?? 0 }));
    if (counted.some((c) => c.n <= 0)) return null;
    return counted.sort((a, b) => a.n - b.n).map((c) => c.tag);
  }

  async findOperation(id: string, now: Date): Promise<CommsOperationRecord | undefined> {
    const row = await this.db
      .selectFrom('comms_operations')
      .selectAll()
      .where('id', '=', id)
      .where('expires_at', '>', now.toISOString())
      .executeTakeFirst();
    return row && toOperation(row);
  }

  /**
   * Operations whose fan-out has not finished, oldest first: the job runner's work list (any
   * of them may belong to a runner still at work; its lease says so, not this list).
   */
  async unprocessedOperationIds(limit: number): Promise<string[]> {
    const rows = await this.db
      .selectFrom('comms_operations')
      .select('id')
      .where('status', 'in', ['PROCESSING', 'SCHEDULED'])
      .where('processed_at', 'is', null)
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.map((r) => r.id);
  }

  async listOperations(
    filter: CommsOperationFilter,
    page: KeysetRequest,
    now: Date,
  ): Promise<KeysetPage<CommsOperationRecord>> {
    let query = this.db
      .selectFrom('comms_operations as o')
      .selectAll('o')
      .where('o.expires_at', '>', now.toISOString());
    if (filter.status !== undefined) query = query.where('o.status', '=', filter.status);
    query = withinRange(query, 'o.id', 'o.created_at', filter, page.after);
    const rows = await query
      .orderBy('o.id', 'desc')
      .limit(page.limit + 1)
      .execute();
    return {
      items: rows.slice(0, page.limit).map(toOperation),
      hasMore: rows.length > page.limit,
    };
  }
}

/**
 * The keyset cursor and the creation range, both as bounds on the id (ULIDs begin with their
 * creation millisecond), so whichever index serves the filters serves the range too. The
 * `created_at` bounds say the same thing once more, for readers of the SQL.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function withinRange<Q extends SelectQueryBuilder<any, any, any>>(
  query: Q,
  key: string,
  createdColumn: string,
  range: CreatedRange,
  after: string | null,
): Q {
  let q = query;
  if (after !== null) q = q.where(key, '<', after) as Q;
  if (range.createdAfter) {
    const ms = range.createdAfter.getTime();
    q = q
      .where(key, '>=', firstIdAt(Math.floor(ms) + 1))
      .where(createdColumn, '>', range.createdAfter.toISOString()) as Q;
  }
  if (range.createdBefore) {
    const ms = range.createdBefore.getTime();
    q = q
      .where(key, '<', firstIdAt(Math.ceil(ms)))
      .where(createdColumn, '<', range.createdBefore.toISOString()) as Q;
  }
  return q;
}
