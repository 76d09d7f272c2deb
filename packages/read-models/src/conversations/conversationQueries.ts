import { dialectOf } from '@missive/projections';
import { readRows } from '../readRows';
import type { SchemalessDb } from '../schemaless';
import { sql, type Kysely, type RawBuilder } from 'kysely';
import { UserNames } from '../users/userNames';
import type { UsersDatabase } from '../users/usersTables';
import type { ConversationsDatabase } from './conversationsTables';
import type {
  ConversationFilter,
  ConversationView,
  MessageView,
  Page,
  ParticipantView,
} from './conversationViews';
import { type ConversationScope, scopeCondition } from './scopeCondition';
import { scopeCount } from './scopeCounts';

type Db = ConversationsDatabase & UsersDatabase;

export type { ConversationScope };

export type {
  ConversationFilter,
  ConversationView,
  MessagePreview,
  MessageView,
  Page,
  ParticipantView,
} from './conversationViews';

/*
 * The hot read paths (the inbox list, the hydration of its page) are written as SQL text
 * rather than with Kysely's builder: building and compiling a builder query costs 50–60 µs,
 * which, six queries per page, was most of a list request. `sql` fragments still compile to
 * each dialect's placeholders, so the same text runs on SQLite and PostgreSQL.
 */

/**
 * Canvas's `infer_scope` orders: this column descending, then
 * conversation_id descending, each backed by an index.
 */
function scopeOrderKey(scope: ConversationScope): RawBuilder<unknown> {
  switch (scope) {
    case 'inbox':
    case 'unread':
    case 'archived':
      return sql`cp.last_message_at`;
    case 'sent':
      return sql`cp.visible_last_authored_at`;
    case 'starred':
      return sql`cp.updated_at`;
  }
}

/** `filter[]`: `user_N` is a participant; anything else is one of the viewer's tags. */
function filterCondition(filter: ConversationFilter | undefined): RawBuilder<unknown> {
  if (!filter || filter.values.length === 0) return sql``;
  const conditions = filter.values.map((value) => {
    const user = /^user_(\d{1,16})$/.exec(value);
    if (user) {
      return sql`EXISTS (SELECT 1 FROM conversation_participants other
        WHERE other.conversation_id = cp.conversation_id AND other.user_id = ${user[1]!})`;
    }
    return sql`EXISTS (SELECT 1 FROM conversation_participant_tags t
      WHERE t.user_id = cp.user_id AND t.conversation_id = cp.conversation_id AND t.tag = ${value})`;
  });
  return sql`AND (${sql.join(conditions, filter.mode === 'and' ? sql` AND ` : sql` OR `)})`;
}

/** A user's rows in a scope: what the index lists, `message_count > 0` as Canvas requires. */
function scopeRows(
  userId: string,
  scope: ConversationScope,
  filter: ConversationFilter | undefined,
): RawBuilder<unknown> {
  return sql`cp.user_id = ${userId} AND cp.message_count > 0 AND ${scopeCondition(scope)}
    ${filterCondition(filter)}`;
}

type PageRow = Pick<
  Db['conversation_participants'],
  | 'conversation_id'
  | 'workflow_state'
  | 'starred'
  | 'subscribed'
  | 'last_message_at'
  | 'last_message_id'
  | 'message_count'
  | 'last_authored_at'
  | 'last_authored_message_id'
  | 'has_attachments'
  | 'has_media_objects'
  | 'subject'
  | 'is_private'
  | 'context_code'
  | 'last_message_author_id'
  | 'last_message_preview'
  | 'last_authored_preview'
>;

/**
 * A list item's columns: all on its participant row, which holds copies of what it shows of
 * the conversation and of the two messages it previews, so a page joins nothing else.
 */
const PAGE_COLUMNS = sql`cp.conversation_id, cp.workflow_state, cp.starred, cp.subscribed,
  cp.last_message_at, cp.last_message_id, cp.message_count, cp.last_authored_at,
  cp.last_authored_message_id, cp.has_attachments, cp.has_media_objects,
  cp.subject, cp.is_private, cp.context_code, cp.last_message_author_id,
  cp.last_message_preview, cp.last_authored_preview`;

/** A `PAGE_COLUMNS` row read as an array (`readRowsNow`), in the same order. */
function pageRowOf(v: unknown[]): PageRow {
  return {
    conversation_id: v[0] as PageRow['conversation_id'],
    workflow_state: v[1] as PageRow['workflow_state'],
    starred: v[2] as number,
    subscribed: v[3] as number,
    last_message_at: v[4] as string | null,
    last_message_id: v[5] as PageRow['last_message_id'],
    message_count: v[6] as number,
    last_authored_at: v[7] as string | null,
    last_authored_message_id: v[8] as PageRow['last_authored_message_id'],
    has_attachments: v[9] as number,
    has_media_objects: v[10] as number,
    subject: v[11] as string | null,
    is_private: v[12] as number,
    context_code: v[13] as string | null,
    last_message_author_id: v[14] as PageRow['last_message_author_id'],
    last_message_preview: v[15] as string | null,
    last_authored_preview: v[16] as string | null,
  };
}

interface ParticipantRow {
  conversation_id: number | string;
  user_id: number | string;
  last_authored_at: string | null;
}

interface TagRow {
  conversation_id: number | string;
  tag: string;
}

function toMessage(row: Db['conversation_messages']): MessageView {
  return {
    id: String(row.id),
    conversationId: String(row.conversation_id),
    authorId: String(row.author_id),
    body: row.body,
    createdAt: row.created_at,
    generated: row.generated === 1,
    attachmentIds: JSON.parse(row.attachment_ids) as string[],
    mediaComment: row.media_comment ? JSON.parse(row.media_comment) : null,
    forwardedMessageIds: JSON.parse(row.forwarded_message_ids) as string[],
    participatingUserIds: JSON.parse(row.participating_user_ids) as string[],
  };
}

export class ConversationQueries {
  private readonly db: Kysely<Db>;
  private readonly names: UserNames;
  /**
   * How the page finds the rows its index walk chose. SQLite: by rowid, which every index
   * entry holds, one B-tree descent per row instead of two through the primary key's index.
   */
  private readonly pageRowKey: { select: RawBuilder<unknown>; join: RawBuilder<unknown> };

  constructor(db: SchemalessDb) {
    this.db = db as Kysely<Db>;
    this.names = new UserNames(db);
    this.pageRowKey =
      dialectOf(db) === 'sqlite'
        ? { select: sql`cp.rowid AS row_key`, join: sql`cp.rowid = ids.row_key` }
        : {
            select: sql`cp.user_id AS row_key`,
            join: sql`cp.user_id = ids.row_key AND cp.conversation_id = ids.conversation_id`,
          };
  }

  /**
   * One page of a user's conversations in `scope`, plus the total for Canvas's `last` link.
   * Both walk a covering index (user, order, state, count), so the total never touches the
   * rows, and the page skips its offset in the index before reading the rows it returns.
   */
  async list(
    userId: string,
    scope: ConversationScope,
    { limit, offset }: { limit: number; offset: number },
    filter?: ConversationFilter,
  ): Promise<Page<ConversationView>> {
    const where = scopeRows(userId, scope, filter);
    const key = scopeOrderKey(scope);
    const n = await this.total(userId, scope, where, filter);
    // Past the end (or an empty scope): no rows to read.
    if (offset >= n) return { items: [], total: n };
    // The outer query orders by the page's own columns: ordered by the row's, SQLite would
    // rather walk the user's whole index range than look the ten rows up by key.
    const page = await readRows(
      this.db,
      sql<PageRow>`SELECT ${PAGE_COLUMNS}
      FROM (SELECT ${this.pageRowKey.select}, cp.conversation_id, ${key} AS k
            FROM conversation_participants cp
            WHERE ${where}
            ORDER BY ${key} DESC, cp.conversation_id DESC LIMIT ${limit} OFFSET ${offset}) ids
      JOIN conversation_participants cp ON ${this.pageRowKey.join}
      ORDER BY ids.k DESC, ids.conversation_id DESC`,
      pageRowOf,
    );
    return { items: await this.hydrate(userId, page), total: n };
  }

  /** The kept per-user total when unfiltered; a filter's total is counted in the index. */
  private async total(
    userId: string,
    scope: ConversationScope,
    where: RawBuilder<unknown>,
    filter: ConversationFilter | undefined,
  ): Promise<number> {
    if (!filter || filter.values.length === 0) return scopeCount(this.db, userId, scope);
    const { rows } = await sql<{ n: number | string }>`SELECT COUNT(*) AS n
      FROM conversation_participants cp WHERE ${where}`.execute(this.db);
    return Number(rows[0]?.n ?? 0);
  }

  /** Every conversation id in `scope`, in the scope's order (`include_all_conversation_ids`). */
  async allIds(
    userId: string,
    scope: ConversationScope,
    filter?: ConversationFilter,
  ): Promise<string[]> {
    const { rows } = await sql<{ conversation_id: number | string }>`SELECT cp.conversation_id
      FROM conversation_participants cp WHERE ${scopeRows(userId, scope, filter)}
      ORDER BY ${scopeOrderKey(scope)} DESC, cp.conversation_id DESC`.execute(this.db);
    return rows.map((r) => String(r.conversation_id));
  }

  /** The user's view of these conversations in any state (used to answer commands). */
  async findForUser(
    userId: string,
    conversationIds: readonly string[],
  ): Promise<ConversationView[]> {
    if (conversationIds.length === 0) return [];
    const { rows } = await sql<PageRow>`SELECT ${PAGE_COLUMNS}
      FROM conversation_participants cp
      WHERE cp.user_id = ${userId} AND cp.conversation_id IN (${sql.join(conversationIds)})`.execute(
      this.db,
    );
    const views = await this.hydrate(userId, rows);
    const byId = new Map(views.map((v) => [v.id, v]));
    return conversationIds.flatMap((id) => byId.get(id) ?? []);
  }

  /** The messages this user holds a copy of, newest first (the show endpoint's order). */
  async messagesForUser(userId: string, conversationId: string): Promise<MessageView[]> {
    const rows = await this.db
      .selectFrom('message_copies as mc')
      .innerJoin('conversation_messages as m', 'm.id', 'mc.message_id')
      .selectAll('m')
      .where('mc.user_id', '=', userId)
      .where('mc.conversation_id', '=', conversationId)
      .orderBy('m.created_at', 'desc')
      .orderBy('m.id', 'desc')
      .execute();
    return rows.map(toMessage);
  }

  /** Canvas's unread counter: visible inbox rows in the unread state. */
  async unreadCount(userId: string): Promise<number> {
    return scopeCount(this.db, userId, 'unread');
  }

  /** Ids of this user's unread conversations (mark_all_as_read). */
  async unreadIds(userId: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom('conversation_participants')
      .select('conversation_id')
      .where('user_id', '=', userId)
      .where('workflow_state', '=', 'unread')
      .execute();
    return rows.map((r) => String(r.conversation_id));
  }

  async messages(ids: readonly string[]): Promise<MessageView[]> {
    if (ids.length === 0) return [];
    const { rows } = await sql<Db['conversation_messages']>`SELECT * FROM conversation_messages
      WHERE id IN (${sql.join(ids)})`.execute(this.db);
    return rows.map(toMessage);
  }

  /** Batch-loads the participants and the viewer's tags of a page: two queries, not N+1. */
  private async hydrate(userId: string, rows: readonly PageRow[]): Promise<ConversationView[]> {
    if (rows.length === 0) return [];
    const conversationIds = rows.map((r) => String(r.conversation_id));
    const ids = sql.join(conversationIds);
    const [participantRows, tagRows] = await Promise.all([
      // Index-only (conversation, user, last authored); names come from UserNames.
      readRows(
        this.db,
        sql<ParticipantRow>`SELECT conversation_id, user_id, last_authored_at
          FROM conversation_participants WHERE conversation_id IN (${ids})`,
        (v) => ({
          conversation_id: v[0] as ParticipantRow['conversation_id'],
          user_id: v[1] as ParticipantRow['user_id'],
          last_authored_at: v[2] as string | null,
        }),
      ),
      readRows(
        this.db,
        sql<TagRow>`SELECT conversation_id, tag FROM conversation_participant_tags
          WHERE user_id = ${userId} AND conversation_id IN (${ids}) ORDER BY tag`,
        (v) => ({ conversation_id: v[0] as TagRow['conversation_id'], tag: v[1] as string }),
      ),
    ]);
    const names = await this.names.of(participantRows.map((p) => String(p.user_id)));
    const tagsByConversation = new Map<string, string[]>();
    for (const row of tagRows) {
      const key = String(row.conversation_id);
      const list = tagsByConversation.get(key);
      if (list) list.push(row.tag);
      else tagsByConversation.set(key, [row.tag]);
    }
    const participantsByConversation = new Map<string, ParticipantView[]>();
    for (const p of participantRows) {
      const id = String(p.user_id);
      // As the join with users did: a participant not (yet) in the users model is left out.
      const name = names.get(id);
      if (!name) continue;
      const key = String(p.conversation_id);
      const list = participantsByConversation.get(key) ?? [];
      list.push({
        id,
        name: name.name,
        shortName: name.shortName,
        lastAuthoredAt: p.last_authored_at,
      });
      participantsByConversation.set(key, list);
    }
    // A preview is stored with its message id; a null one is a message the row does not hold.
    const preview = (id: number | string | null, authorId: unknown, body: string | null) =>
      id === null || body === null ? null : { id: String(id), authorId: String(authorId), body };
    return rows.map((r) => ({
      id: String(r.conversation_id),
      userId,
      subject: r.subject,
      workflowState: r.workflow_state,
      lastMessageAt: r.last_message_at,
      lastMessage:
        r.last_message_at === null
          ? null
          : preview(r.last_message_id, r.last_message_author_id, r.last_message_preview),
      messageCount: r.message_count,
      lastAuthoredAt: r.last_authored_at,
      lastAuthoredMessage: preview(r.last_authored_message_id, userId, r.last_authored_preview),
      subscribed: r.subscribed === 1,
      starred: r.starred === 1,
      private: Number(r.is_private) === 1,
      hasAttachments: r.has_attachments === 1,
      hasMediaObjects: r.has_media_objects === 1,
      contextCode: r.context_code,
      participants: participantsByConversation.get(String(r.conversation_id)) ?? [],
      tags: tagsByConversation.get(String(r.conversation_id)) ?? [],
    }));
  }
}
