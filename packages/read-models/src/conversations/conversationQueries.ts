import { dialectOf, type SqlDialectName } from '@missive/projections';
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
import { PAGE_COLUMNS, pageRowOf, scopeOrderKey, scopeRows, type PageRow } from './listSql';
import { readPostgresPage } from './postgresListPage';
import type { ConversationScope } from './scopeCondition';
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
 * each dialect's placeholders. A list page is read in a few queries on SQLite, in process and
 * cheap each, and in one statement on PostgreSQL (`readPostgresPage`), where each is a round
 * trip.
 */

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
  private readonly dialect: SqlDialectName;

  constructor(db: SchemalessDb) {
    this.db = db as Kysely<Db>;
    this.names = new UserNames(db);
    this.dialect = dialectOf(db);
  }

  /** Forgets the cached names of a user this process just erased (others within a minute). */
  forgetUserName(userId: string): void {
    this.names.forget(userId);
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
    if (this.dialect === 'postgres') {
      const page = await readPostgresPage(this.db, userId, scope, { limit, offset }, filter);
      const participants = page.rows.flatMap((r) =>
        r.participantIds.map((id, i) => ({
          conversation_id: r.conversation_id,
          user_id: id,
          last_authored_at: r.participantAuthoredAt[i] ?? null,
        })),
      );
      const tags = page.rows.flatMap((r) =>
        r.tags.map((tag) => ({ conversation_id: r.conversation_id, tag })),
      );
      return { items: await this.views(userId, page.rows, participants, tags), total: page.total };
    }
    const where = scopeRows(userId, scope, filter);
    const key = scopeOrderKey(scope);
    const n = await this.total(userId, scope, where, filter);
    // Past the end (or an empty scope): no rows to read.
    if (offset >= n) return { items: [], total: n };
    // The page finds the rows its index walk chose by rowid, which every index entry holds:
    // one B-tree descent per row instead of two through the primary key's index. The outer
    // query orders by the page's own columns: ordered by the row's, SQLite would rather walk
    // the user's whole index range than look the ten rows up by key.
    const page = await readRows(
      this.db,
      sql<PageRow>`SELECT ${PAGE_COLUMNS}
      FROM (SELECT cp.rowid AS row_key, cp.conversation_id, ${key} AS k
            FROM conversation_participants cp
            WHERE ${where}
            ORDER BY ${key} DESC, cp.conversation_id DESC LIMIT ${limit} OFFSET ${offset}) ids
      JOIN conversation_participants cp ON cp.rowid = ids.row_key
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

  /** Every conversation the user has a row in, whatever its state (the audit's scope). */
  async participatedIds(userId: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom('conversation_participants')
      .select('conversation_id')
      .where('user_id', '=', userId)
      .orderBy('conversation_id')
      .execute();
    return rows.map((r) => String(r.conversation_id));
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
    return this.views(userId, rows, participantRows, tagRows);
  }

  /** The views of a page's rows, with their participants (named) and the viewer's tags. */
  private async views(
    userId: string,
    rows: readonly PageRow[],
    participantRows: readonly ParticipantRow[],
    tagRows: readonly TagRow[],
  ): Promise<ConversationView[]> {
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
