import type { SchemalessDb } from '../schemaless';
import type { Kysely } from 'kysely';
import type { UsersDatabase } from '../users/usersTables';
import type { ConversationsDatabase, WorkflowState } from './conversationsTables';

type Db = ConversationsDatabase & UsersDatabase;

export type ConversationScope = 'inbox' | 'unread' | 'archived' | 'starred' | 'sent';

export interface ParticipantView {
  id: string;
  name: string;
  shortName: string;
  lastAuthoredAt: string | null;
}

export interface MessageView {
  id: string;
  conversationId: string;
  authorId: string;
  body: string;
  createdAt: string;
  generated: boolean;
  attachmentIds: string[];
  mediaComment: { mediaId: string; mediaType: string } | null;
  forwardedMessageIds: string[];
  participatingUserIds: string[];
}

/** One participant's view of a conversation: everything the Canvas JSON needs. */
export interface ConversationView {
  id: string;
  userId: string;
  subject: string | null;
  workflowState: WorkflowState;
  lastMessageAt: string | null;
  lastMessage: MessageView | null;
  messageCount: number;
  lastAuthoredAt: string | null;
  lastAuthoredMessage: MessageView | null;
  subscribed: boolean;
  starred: boolean;
  private: boolean;
  hasAttachments: boolean;
  hasMediaObjects: boolean;
  contextCode: string | null;
  participants: ParticipantView[];
  /** The viewer's context tags on this conversation (`course_5`, `group_9`). */
  tags: string[];
}

/** Canvas's `filter[]`: `course_N`, `group_N`, `section_N` (tags) or `user_N` (a participant). */
export interface ConversationFilter {
  values: string[];
  mode: 'and' | 'or';
}

export interface Page<T> {
  items: T[];
  total: number;
}

function baseQuery(db: Kysely<Db>, userId: string) {
  return db
    .selectFrom('conversation_participants as cp')
    .innerJoin('conversations as c', 'c.id', 'cp.conversation_id')
    .where('cp.user_id', '=', userId)
    .where('cp.message_count', '>', 0);
}

type BaseQuery = ReturnType<typeof baseQuery>;

function filtered(query: BaseQuery, filter: ConversationFilter | undefined): BaseQuery {
  if (!filter || filter.values.length === 0) return query;
  return query.where((eb) => {
    const conditions = filter.values.map((value) => {
      const user = /^user_(\d{1,16})$/.exec(value);
      if (user) {
        return eb.exists(
          eb
            .selectFrom('conversation_participants as other')
            .select('other.user_id')
            .whereRef('other.conversation_id', '=', 'cp.conversation_id')
            .where('other.user_id', '=', user[1]!),
        );
      }
      return eb.exists(
        eb
          .selectFrom('conversation_participant_tags as t')
          .select('t.tag')
          .whereRef('t.user_id', '=', 'cp.user_id')
          .whereRef('t.conversation_id', '=', 'cp.conversation_id')
          .where('t.tag', '=', value),
      );
    });
    return filter.mode === 'and' ? eb.and(conditions) : eb.or(conditions);
  });
}

/** Canvas's `infer_scope` (specs/canvas-api.md §1.1), each with its documented order. */
function scoped(query: BaseQuery, scope: ConversationScope): BaseQuery {
  const visible = query.where('cp.last_message_at', 'is not', null);
  switch (scope) {
    case 'inbox':
      return visible
        .where('cp.workflow_state', 'in', ['read', 'unread'])
        .orderBy('cp.last_message_at', 'desc')
        .orderBy('cp.conversation_id', 'desc');
    case 'unread':
    case 'archived':
      return visible
        .where('cp.workflow_state', '=', scope)
        .orderBy('cp.last_message_at', 'desc')
        .orderBy('cp.conversation_id', 'desc');
    case 'sent':
      return query
        .where('cp.visible_last_authored_at', 'is not', null)
        .orderBy('cp.visible_last_authored_at', 'desc')
        .orderBy('cp.conversation_id', 'desc');
    case 'starred':
      return query
        .where('cp.starred', '=', 1)
        .orderBy('cp.updated_at', 'desc')
        .orderBy('cp.conversation_id', 'desc');
  }
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

  constructor(db: SchemalessDb) {
    this.db = db as Kysely<Db>;
  }

  private base(userId: string) {
    return baseQuery(this.db, userId);
  }

  /** One page of a user's conversations in `scope`, plus the total for Canvas's `last` link. */
  async list(
    userId: string,
    scope: ConversationScope,
    { limit, offset }: { limit: number; offset: number },
    filter?: ConversationFilter,
  ): Promise<Page<ConversationView>> {
    const [rows, total] = await Promise.all([
      scoped(filtered(this.base(userId), filter), scope)
        .selectAll('cp')
        .select(['c.subject', 'c.private_hash', 'c.context_code'])
        .limit(limit)
        .offset(offset)
        .execute(),
      scoped(filtered(this.base(userId), filter), scope)
        .clearOrderBy()
        .select((eb) => eb.fn.countAll<number | string>().as('n'))
        .executeTakeFirstOrThrow(),
    ]);
    return {
      items: await this.hydrate(userId, rows as unknown as Record<string, unknown>[]),
      total: Number(total.n),
    };
  }

  /** Every conversation id in `scope`, in the scope's order (`include_all_conversation_ids`). */
  async allIds(
    userId: string,
    scope: ConversationScope,
    filter?: ConversationFilter,
  ): Promise<string[]> {
    const rows = await scoped(filtered(this.base(userId), filter), scope)
      .select('cp.conversation_id')
      .execute();
    return rows.map((r) => String(r.conversation_id));
  }

  /** The user's view of these conversations in any state (used to answer commands). */
  async findForUser(
    userId: string,
    conversationIds: readonly string[],
  ): Promise<ConversationView[]> {
    if (conversationIds.length === 0) return [];
    const rows = await this.db
      .selectFrom('conversation_participants as cp')
      .innerJoin('conversations as c', 'c.id', 'cp.conversation_id')
      .selectAll('cp')
      .select(['c.subject', 'c.private_hash', 'c.context_code'])
      .where('cp.user_id', '=', userId)
      .where('cp.conversation_id', 'in', conversationIds)
      .execute();
    const views = await this.hydrate(userId, rows as unknown as Record<string, unknown>[]);
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
    const row = await this.db
      .selectFrom('conversation_participants')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('user_id', '=', userId)
      .where('workflow_state', '=', 'unread')
      .where('last_message_at', 'is not', null)
      .where('message_count', '>', 0)
      .executeTakeFirstOrThrow();
    return Number(row.n);
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
    const rows = await this.db
      .selectFrom('conversation_messages')
      .selectAll()
      .where('id', 'in', ids)
      .execute();
    return rows.map(toMessage);
  }

  /** Batch-loads participants and preview messages for a page: three queries, not N+1. */
  private async hydrate(
    userId: string,
    raw: Record<string, unknown>[],
  ): Promise<ConversationView[]> {
    type Row = Db['conversation_participants'] & {
      subject: string | null;
      private_hash: string | null;
      context_code: string | null;
    };
    const rows = raw as unknown as Row[];
    if (rows.length === 0) return [];
    const conversationIds = rows.map((r) => String(r.conversation_id));
    const messageIds = rows.flatMap((r) =>
      [r.last_message_id, r.last_authored_message_id].filter((id) => id !== null).map(String),
    );
    const [participantRows, messages, tagRows] = await Promise.all([
      this.db
        .selectFrom('conversation_participants as cp')
        .innerJoin('users as u', 'u.id', 'cp.user_id')
        .select([
          'cp.conversation_id',
          'cp.user_id',
          'cp.last_authored_at',
          'u.name',
          'u.short_name',
        ])
        .where('cp.conversation_id', 'in', conversationIds)
        .execute(),
      this.messages([...new Set(messageIds)]),
      this.db
        .selectFrom('conversation_participant_tags')
        .select(['conversation_id', 'tag'])
        .where('user_id', '=', userId)
        .where('conversation_id', 'in', conversationIds)
        .orderBy('tag')
        .execute(),
    ]);
    const tagsByConversation = new Map<string, string[]>();
    for (const row of tagRows) {
      const key = String(row.conversation_id);
      tagsByConversation.set(key, [...(tagsByConversation.get(key) ?? []), row.tag]);
    }
    const messageById = new Map(messages.map((m) => [m.id, m]));
    const participantsByConversation = new Map<string, ParticipantView[]>();
    for (const p of participantRows) {
      const key = String(p.conversation_id);
      const list = participantsByConversation.get(key) ?? [];
      list.push({
        id: String(p.user_id),
        name: p.name,
        shortName: p.short_name,
        lastAuthoredAt: p.last_authored_at,
      });
      participantsByConversation.set(key, list);
    }
    const message = (id: number | string | null) =>
      id === null ? null : (messageById.get(String(id)) ?? null);
    return rows.map((r) => ({
      id: String(r.conversation_id),
      userId,
      subject: r.subject,
      workflowState: r.workflow_state,
      lastMessageAt: r.last_message_at,
      lastMessage: r.last_message_at === null ? null : message(r.last_message_id),
      messageCount: r.message_count,
      lastAuthoredAt: r.last_authored_at,
      lastAuthoredMessage: message(r.last_authored_message_id),
      subscribed: r.subscribed === 1,
      starred: r.starred === 1,
      private: r.private_hash !== null,
      hasAttachments: r.has_attachments === 1,
      hasMediaObjects: r.has_media_objects === 1,
      contextCode: r.context_code,
      participants: participantsByConversation.get(String(r.conversation_id)) ?? [],
      tags: tagsByConversation.get(String(r.conversation_id)) ?? [],
    }));
  }
}
