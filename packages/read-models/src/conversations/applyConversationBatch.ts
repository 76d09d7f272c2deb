import type { ConversationEvent, ParticipantViewEvent } from '@missive/domain';
import { insertRows } from '@missive/projections';
import { sql } from 'kysely';
import {
  applyConversationEvent,
  type ConversationColumns,
  conversationColumnsOf,
  copyConversationMessages,
  copyForwardedMessages,
  humanLastMessageAt,
  newParticipantRow,
  recomputed,
  type Tx,
  UNKNOWN_CONVERSATION,
} from './applyConversationEvent';
import { compareIds } from './compareIds';
import type { WorkflowState } from './conversationsTables';
import { messagePreview } from './messagePreview';
import { ScopeCountDeltas, scopeMask, scopeMasksOf } from './scopeCounts';

type Event = ConversationEvent | ParticipantViewEvent;

/** A participant row as the fold holds it; ids as canonical decimal text. */
interface ParticipantRow {
  user_id: string;
  conversation_id: string;
  workflow_state: WorkflowState;
  starred: number;
  subscribed: number;
  last_message_at: string | null;
  last_message_id: string | null;
  message_count: number;
  last_authored_at: string | null;
  visible_last_authored_at: string | null;
  last_authored_message_id: string | null;
  has_attachments: number;
  has_media_objects: number;
  updated_at: string;
  subject: string | null;
  is_private: number;
  context_code: string | null;
  last_message_author_id: string | null;
  last_message_preview: string | null;
  last_authored_preview: string | null;
  /** Not in the table yet: written with a plain INSERT, so a duplicate still fails. */
  isNew: boolean;
  /** `scopeMask` of the row as the table holds it: what the scope totals count it in. */
  scopes: number;
  dirty: boolean;
}

const PARTICIPANT_COLUMNS = [
  'user_id',
  'conversation_id',
  'workflow_state',
  'starred',
  'subscribed',
  'last_message_at',
  'last_message_id',
  'message_count',
  'last_authored_at',
  'visible_last_authored_at',
  'last_authored_message_id',
  'has_attachments',
  'has_media_objects',
  'updated_at',
  'subject',
  'is_private',
  'context_code',
  'last_message_author_id',
  'last_message_preview',
  'last_authored_preview',
] as const;

const PARTICIPANT_UPSERT = {
  onConflict: {
    columns: ['user_id', 'conversation_id'],
    update: Object.fromEntries(
      PARTICIPANT_COLUMNS.slice(2).map((column) => [column, `excluded.${column}`]),
    ),
  },
};

const CONVERSATION_COLUMNS = ['id', 'subject', 'private_hash', 'context_code', 'created_at'];
const MESSAGE_COLUMNS = [
  'id',
  'conversation_id',
  'author_id',
  'body',
  'created_at',
  'generated',
  'attachment_ids',
  'media_comment',
  'forwarded_message_ids',
  'participating_user_ids',
];
const COPY_COLUMNS = ['user_id', 'conversation_id', 'message_id', 'created_at'];
const TAG_COLUMNS = ['user_id', 'conversation_id', 'tag'];
const TAG_INSERT = { onConflict: { columns: TAG_COLUMNS } };

/** Conversation ids per participant-loading query: far under both parameter limits. */
const LOAD_CHUNK = 5000;

/**
 * Only ids the database stores exactly as given (`7`, not `07`) let the fold match rows by
 * string; anything else goes through the per-event statements, where SQL compares them.
 */
const CANONICAL_ID = /^(0|[1-9][0-9]{0,17})$/;

function isId(value: unknown): value is string {
  return typeof value === 'string' && CANONICAL_ID.test(value);
}

function areIds(values: unknown): values is string[] {
  if (!Array.isArray(values)) return false;
  for (const value of values) if (!isId(value)) return false;
  return true;
}

/**
 * How the batch path takes an event: `memory`: folded in memory; `sql`: folded, but the copies
 * it makes are written by SQL that reads the conversation's messages, so the pending inserts go
 * first; `alone`: its own statements after everything pending is written (resubscribing,
 * removals, deletes, odd input: rare, and they read rows the batch may have changed).
 */
function howToApply(e: Event): 'memory' | 'sql' | 'alone' {
  const d = e.data as unknown as Record<string, unknown>;
  if (!isId(d.conversationId)) return 'alone';
  switch (e.type) {
    case 'ConversationStarted':
      return typeof e.data.createdAt === 'string' &&
        areIds(e.data.participantIds) &&
        e.data.participantIds.length > 0
        ? 'memory'
        : 'alone';
    case 'MessageAdded':
      if (
        typeof e.data.createdAt !== 'string' ||
        typeof e.data.messageId !== 'string' ||
        !isId(e.data.authorId) ||
        !areIds(e.data.recipientIds) ||
        e.data.recipientIds.length === 0 ||
        !Array.isArray(e.data.attachmentIds) ||
        !Array.isArray(e.data.forwardedMessageIds)
      ) {
        return 'alone';
      }
      return e.data.forwardedMessageIds.length === 0 ? 'memory' : 'sql';
    case 'RecipientsAdded':
      if (typeof e.data.at !== 'string' || !areIds(e.data.userIds)) return 'alone';
      return e.data.withHistory ? 'sql' : 'memory';
    case 'ConversationMarkedAsRead':
    case 'ConversationMarkedAsUnread':
    case 'ConversationArchived':
    case 'ConversationStarred':
    case 'ConversationUnstarred':
    case 'ConversationUnsubscribed':
      return typeof e.data.at === 'string' && isId(e.data.userId) ? 'memory' : 'alone';
    default:
      return 'alone';
  }
}

/** What every recipient's row takes from a human message, author included. */
function received(
  row: ParticipantRow,
  message: MessageAdded['data'],
  preview: string | null,
  attachments: boolean,
  media: boolean,
): void {
  const at = message.createdAt;
  row.message_count += 1;
  row.last_message_id = message.messageId;
  row.last_message_author_id = message.authorId;
  row.last_message_preview = preview;
  if (attachments) row.has_attachments = 1;
  if (media) row.has_media_objects = 1;
  row.updated_at = at;
  row.dirty = true;
}

/**
 * Rows in primary-key order (user, conversation, then message id or tag): a batch's inserts then
 * land on neighbouring B-tree pages instead of one page per row, which makes a large batch's
 * copies several times cheaper to insert and leaves fewer pages to write back.
 */
function byKey3(a: unknown[], b: unknown[]): number {
  return (
    compareIds(a[0] as string, b[0] as string) ||
    compareIds(a[1] as string, b[1] as string) ||
    compareIds(a[2] as string, b[2] as string)
  );
}

/**
 * The batch's participant rows by conversation, then user. Nested maps rather than one keyed by
 * `conversation/user`: the fold looks rows up several times per event, and ids straight from
 * the event keep their hashes, where a joined key would be a new string to hash every time.
 */
class ParticipantRows {
  readonly #byConversation = new Map<string, Map<string, ParticipantRow>>();

  get(conversationId: string, userId: string): ParticipantRow | undefined {
    return this.#byConversation.get(conversationId)?.get(userId);
  }

  /** False (and nothing added) when the conversation already has a row for this user. */
  add(row: ParticipantRow): boolean {
    let rows = this.#byConversation.get(row.conversation_id);
    if (!rows) {
      rows = new Map();
      this.#byConversation.set(row.conversation_id, rows);
    }
    if (rows.has(row.user_id)) return false;
    rows.set(row.user_id, row);
    return true;
  }

  *values(): IterableIterator<ParticipantRow> {
    for (const rows of this.#byConversation.values()) yield* rows.values();
  }
}

function newParticipant(
  conversationId: string,
  userId: string,
  workflowState: WorkflowState,
  at: string,
  conversation: ConversationColumns,
): ParticipantRow {
  return {
    ...newParticipantRow(conversationId, userId, workflowState, at, conversation),
    isNew: true,
    scopes: 0,
    dirty: true,
  };
}

/**
 * A run of foldable events: their inserts are collected and the participant rows they touch
 * are changed in memory, in log order, by the same rules as `applyConversationEvent`; then
 * everything is written with a few multi-row statements.
 */
class Segment {
  readonly #conversations: unknown[][] = [];
  readonly #messages: unknown[][] = [];
  readonly #copies: unknown[][] = [];
  /** Conversation → user → tags (the table's key), so a repeated tag costs no row. */
  readonly #tags = new Map<string, Map<string, Set<string>>>();
  readonly #participants: ParticipantRows;
  /** The columns of conversations this segment adds participants to (see `applySegment`). */
  readonly #conversationColumns: Map<string, ConversationColumns>;

  constructor(
    participants: ParticipantRows,
    conversationColumns: Map<string, ConversationColumns>,
  ) {
    this.#participants = participants;
    this.#conversationColumns = conversationColumns;
  }

  /** What a joining participant's row copies from its conversation, as its table has it. */
  #columnsOf(conversationId: string): ConversationColumns {
    return this.#conversationColumns.get(conversationId) ?? UNKNOWN_CONVERSATION;
  }

  apply(e: Event): void {
    switch (e.type) {
      case 'ConversationStarted': {
        const d = e.data;
        this.#conversations.push([
          d.conversationId,
          d.subject ?? null,
          d.privateHash ?? null,
          d.contextCode ?? null,
          d.createdAt,
        ]);
        const columns = conversationColumnsOf(d);
        // A second start of the same conversation fails its INSERT at flush, failing the batch.
        if (!this.#conversationColumns.has(d.conversationId)) {
          this.#conversationColumns.set(d.conversationId, columns);
        }
        for (const userId of d.participantIds) {
          this.#create(newParticipant(d.conversationId, userId, 'read', d.createdAt, columns));
        }
        return;
      }
      case 'MessageAdded':
        this.#messageAdded(e.data);
        return;
      case 'RecipientsAdded':
        for (const userId of e.data.userIds) {
          this.#create(
            newParticipant(
              e.data.conversationId,
              userId,
              'unread',
              e.data.at,
              this.#columnsOf(e.data.conversationId),
            ),
          );
        }
        return;
      default:
        this.#viewChanged(e);
    }
  }

  /** The events whose copies SQL makes from the conversation's messages (see `howToApply`). */
  async applyWithSql(tx: Tx, e: Event): Promise<void> {
    if (e.type === 'RecipientsAdded') {
      const { conversationId, userIds, at } = e.data;
      for (const userId of userIds) {
        const row = newParticipant(
          conversationId,
          userId,
          'unread',
          at,
          this.#columnsOf(conversationId),
        );
        this.#create(row);
        await this.#flushInserts(tx);
        await copyConversationMessages(tx, userId, conversationId);
        Object.assign(row, await readCounters(tx, userId, conversationId));
      }
      return;
    }
    if (e.type !== 'MessageAdded') throw new Error(`${e.type} is not folded with SQL`);
    const { conversationId, recipientIds, forwardedMessageIds } = e.data;
    this.#messageAdded(e.data);
    for (const userId of recipientIds) {
      await this.#flushInserts(tx);
      await copyForwardedMessages(tx, userId, forwardedMessageIds);
      const row = this.#participants.get(conversationId, userId);
      if (!row) continue;
      const counters = await readCounters(tx, userId, conversationId);
      row.message_count = counters.message_count;
      row.has_attachments = counters.has_attachments;
      row.has_media_objects = counters.has_media_objects;
      row.dirty = true;
    }
  }

  async flush(tx: Tx): Promise<void> {
    await this.#flushInserts(tx);
    const created: unknown[][] = [];
    const changed: unknown[][] = [];
    const totals = new ScopeCountDeltas();
    for (const row of this.#participants.values()) {
      if (!row.dirty) continue;
      (row.isNew ? created : changed).push(PARTICIPANT_COLUMNS.map((column) => row[column]));
      const scopes = scopeMask(row);
      totals.add(row.user_id, row.scopes, scopes);
      row.scopes = scopes;
    }
    await totals.write(tx);
    await insertRows(tx, 'conversation_participants', PARTICIPANT_COLUMNS, created);
    await insertRows(
      tx,
      'conversation_participants',
      PARTICIPANT_COLUMNS,
      changed,
      PARTICIPANT_UPSERT,
    );
  }

  async #flushInserts(tx: Tx): Promise<void> {
    await insertRows(tx, 'conversations', CONVERSATION_COLUMNS, this.#conversations.splice(0));
    await insertRows(tx, 'conversation_messages', MESSAGE_COLUMNS, this.#messages.splice(0));
    await insertRows(tx, 'message_copies', COPY_COLUMNS, this.#copies.splice(0).sort(byKey3));
    const tags: string[][] = [];
    for (const [conversationId, users] of this.#tags) {
      for (const [userId, userTags] of users) {
        for (const tag of userTags) tags.push([userId, conversationId, tag]);
      }
    }
    tags.sort(byKey3);
    this.#tags.clear();
    await insertRows(tx, 'conversation_participant_tags', TAG_COLUMNS, tags, TAG_INSERT);
  }

  #create(row: ParticipantRow): void {
    if (!this.#participants.add(row)) {
      // The per-event INSERT fails here too; failing the batch makes the runner retry event
      // by event, which parks exactly the event that fails alone.
      throw new Error(
        `conversation_participants: duplicate row for user ${row.user_id} in conversation ${row.conversation_id}`,
      );
    }
  }

  #messageAdded(d: MessageAdded['data']): void {
    const at = d.createdAt;
    this.#messages.push([
      d.messageId,
      d.conversationId,
      d.authorId,
      d.body ?? null,
      at,
      d.generated ? 1 : 0,
      JSON.stringify(d.attachmentIds),
      d.mediaComment ? JSON.stringify(d.mediaComment) : null,
      JSON.stringify(d.forwardedMessageIds),
      JSON.stringify(d.recipientIds),
    ]);
    for (const userId of d.recipientIds)
      this.#copies.push([userId, d.conversationId, d.messageId, at]);
    if (d.tags) {
      let users = this.#tags.get(d.conversationId);
      if (!users) {
        users = new Map();
        this.#tags.set(d.conversationId, users);
      }
      for (const userId in d.tags) {
        const tags = d.tags[userId];
        // The statement path fails on a malformed list (`tags.map`); iterating a string would not.
        if (!Array.isArray(tags)) throw new TypeError(`tags of user ${userId} is not a list`);
        let userTags = users.get(userId);
        if (!userTags) {
          userTags = new Set();
          users.set(userId, userTags);
        }
        for (const tag of tags) userTags.add(tag);
      }
    }

    // Generated messages ("X was added...") count toward nothing and move no row.
    if (d.generated) return;
    const attachments = d.attachmentIds.length > 0;
    const media = Boolean(d.mediaComment);
    const preview = messagePreview(d.body);

    // The author: only a reply (not the create path) moves the row and un-archives it.
    const author = this.#participants.get(d.conversationId, d.authorId);
    if (author) {
      received(author, d, preview, attachments, media);
      author.last_authored_at = at;
      author.visible_last_authored_at = at;
      author.last_authored_message_id = d.messageId;
      author.last_authored_preview = preview;
      if (d.updateForSender) {
        author.last_message_at = at;
        if (author.workflow_state === 'archived') author.workflow_state = 'read';
      }
    }

    // Other recipients: new or subscribed rows move up and turn unread; unsubscribed rows that
    // already have a last_message_at keep their place and state.
    const recipients = d.recipientIds;
    for (let i = 0; i < recipients.length; i++) {
      const userId = recipients[i]!;
      // The SQL names them in an IN list: a repeated recipient changes the row once.
      if (userId === d.authorId || recipients.indexOf(userId) !== i) continue;
      const row = this.#participants.get(d.conversationId, userId);
      if (!row) continue;
      const moves = row.last_message_at === null || row.subscribed === 1;
      received(row, d, preview, attachments, media);
      if (moves) {
        row.last_message_at = at;
        row.workflow_state = 'unread';
      }
    }
  }

  #viewChanged(e: ParticipantViewEvent): void {
    const { conversationId, userId, at } = e.data;
    const row = this.#participants.get(conversationId, userId);
    if (!row) return;
    switch (e.type) {
      case 'ConversationMarkedAsRead':
        row.workflow_state = 'read';
        break;
      case 'ConversationMarkedAsUnread':
        row.workflow_state = 'unread';
        break;
      case 'ConversationArchived':
        row.workflow_state = 'archived';
        break;
      case 'ConversationStarred':
        row.starred = 1;
        break;
      case 'ConversationUnstarred':
        row.starred = 0;
        break;
      case 'ConversationUnsubscribed':
        // Unsubscribing turns unread into read.
        row.subscribed = 0;
        if (row.workflow_state === 'unread') row.workflow_state = 'read';
        break;
      default:
        throw new Error(`${e.type} is not folded in memory`);
    }
    row.updated_at = at;
    row.dirty = true;
  }
}

type MessageAdded = Extract<ConversationEvent, { type: 'MessageAdded' }>;

/** The participant rows of these conversations, as the fold holds them. */
async function loadParticipants(
  tx: Tx,
  conversationIds: readonly string[],
): Promise<ParticipantRows> {
  const rows = new ParticipantRows();
  for (let i = 0; i < conversationIds.length; i += LOAD_CHUNK) {
    const ids = conversationIds.slice(i, i + LOAD_CHUNK);
    // Ids are read as text so that no bigint loses precision on its way through JS.
    const { rows: loaded } = await sql<Omit<ParticipantRow, 'isNew' | 'dirty'>>`
      select cast(user_id as text) as user_id, cast(conversation_id as text) as conversation_id,
        workflow_state, starred, subscribed, last_message_at,
        cast(last_message_id as text) as last_message_id, message_count, last_authored_at,
        visible_last_authored_at,
        cast(last_authored_message_id as text) as last_authored_message_id,
        has_attachments, has_media_objects, updated_at, subject, is_private, context_code,
        cast(last_message_author_id as text) as last_message_author_id,
        last_message_preview, last_authored_preview
      from conversation_participants
      where conversation_id in (${sql.join(ids)})`.execute(tx);
    for (const row of loaded) {
      // Spelled out rather than spread: the fold writes these objects many times per batch,
      // and a literal keeps them in V8's fast (in-object) property layout.
      rows.add({
        user_id: row.user_id,
        conversation_id: row.conversation_id,
        workflow_state: row.workflow_state,
        starred: Number(row.starred),
        subscribed: Number(row.subscribed),
        last_message_at: row.last_message_at,
        last_message_id: row.last_message_id,
        message_count: Number(row.message_count),
        last_authored_at: row.last_authored_at,
        visible_last_authored_at: row.visible_last_authored_at,
        last_authored_message_id: row.last_authored_message_id,
        has_attachments: Number(row.has_attachments),
        has_media_objects: Number(row.has_media_objects),
        updated_at: row.updated_at,
        subject: row.subject,
        is_private: Number(row.is_private),
        context_code: row.context_code,
        last_message_author_id: row.last_message_author_id,
        last_message_preview: row.last_message_preview,
        last_authored_preview: row.last_authored_preview,
        isNew: false,
        scopes: scopeMask(row),
        dirty: false,
      });
    }
  }
  return rows;
}

/** The columns participant rows copy from these conversations, for those with a row. */
async function loadConversationColumns(
  tx: Tx,
  conversationIds: readonly string[],
): Promise<Map<string, ConversationColumns>> {
  const columns = new Map<string, ConversationColumns>();
  for (let i = 0; i < conversationIds.length; i += LOAD_CHUNK) {
    const ids = conversationIds.slice(i, i + LOAD_CHUNK);
    const { rows } = await sql<{
      id: string;
      subject: string | null;
      private_hash: string | null;
      context_code: string | null;
    }>`select cast(id as text) as id, subject, private_hash, context_code
      from conversations where id in (${sql.join(ids)})`.execute(tx);
    for (const row of rows) {
      columns.set(
        row.id,
        conversationColumnsOf({
          subject: row.subject,
          privateHash: row.private_hash,
          contextCode: row.context_code,
        }),
      );
    }
  }
  return columns;
}

type Counters = Pick<
  ParticipantRow,
  | 'message_count'
  | 'last_message_id'
  | 'last_message_author_id'
  | 'last_message_preview'
  | 'last_authored_message_id'
  | 'last_authored_preview'
  | 'last_authored_at'
  | 'visible_last_authored_at'
  | 'has_attachments'
  | 'has_media_objects'
  | 'last_message_at'
>;

/** What `applyConversationEvent` sets on a joining participant's row, read instead of set. */
async function readCounters(tx: Tx, userId: string, conversationId: string): Promise<Counters> {
  const c = recomputed(userId, conversationId);
  const { rows } = await sql<Counters>`select ${c.message_count} as message_count,
      cast(${c.last_message_id} as text) as last_message_id,
      cast(${c.last_message_author_id} as text) as last_message_author_id,
      ${c.last_message_preview} as last_message_preview,
      cast(${c.last_authored_message_id} as text) as last_authored_message_id,
      ${c.last_authored_preview} as last_authored_preview,
      ${c.last_authored_at} as last_authored_at,
      ${c.visible_last_authored_at} as visible_last_authored_at,
      ${c.has_attachments} as has_attachments,
      ${c.has_media_objects} as has_media_objects,
      ${humanLastMessageAt(userId, conversationId)} as last_message_at`.execute(tx);
  const row = rows[0]!;
  return {
    ...row,
    message_count: Number(row.message_count),
    has_attachments: Number(row.has_attachments),
    has_media_objects: Number(row.has_media_objects),
  };
}

async function applySegment(
  tx: Tx,
  events: readonly { e: Event; how: 'memory' | 'sql' }[],
): Promise<void> {
  const conversationIds = new Set<string>();
  const joined = new Set<string>();
  for (const { e } of events) {
    conversationIds.add(e.data.conversationId);
    if (e.type === 'RecipientsAdded') joined.add(e.data.conversationId);
  }
  const segment = new Segment(
    await loadParticipants(tx, [...conversationIds]),
    await loadConversationColumns(tx, [...joined]),
  );
  for (const { e, how } of events) {
    if (how === 'memory') segment.apply(e);
    else await segment.applyWithSql(tx, e);
  }
  await segment.flush(tx);
}

/**
 * One event through its own statements, with the scope totals moved by what it changed in its
 * conversation's rows (they are the only rows an event of this projection writes).
 */
async function applyAlone(tx: Tx, e: Event): Promise<void> {
  const id = (e.data as { conversationId?: unknown }).conversationId;
  if (typeof id !== 'string' && typeof id !== 'number') {
    // No conversation to look at: its statements cannot address any row either.
    await applyConversationEvent(tx, e);
    return;
  }
  const before = await scopeMasksOf(tx, String(id));
  await applyConversationEvent(tx, e);
  const totals = new ScopeCountDeltas();
  totals.addSnapshots(before, await scopeMasksOf(tx, String(id)));
  await totals.write(tx);
}

/**
 * Applies a batch with a few multi-row statements instead of several per event, with the same
 * resulting rows as `applyConversationEvent` run on each event in order.
 */
export async function applyConversationBatch(tx: Tx, events: readonly Event[]): Promise<void> {
  let run: { e: Event; how: 'memory' | 'sql' }[] = [];
  for (const e of events) {
    const how = howToApply(e);
    if (how !== 'alone') {
      run.push({ e, how });
      continue;
    }
    if (run.length > 0) await applySegment(tx, run);
    run = [];
    await applyAlone(tx, e);
  }
  if (run.length > 0) await applySegment(tx, run);
}
