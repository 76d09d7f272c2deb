import type { ConversationEvent, ParticipantViewEvent } from '@missive/domain';
import { insertRows } from '@missive/projections';
import { idOf, listOf } from './eventIds';
import { PendingInserts } from './pendingInserts';
import { PARTICIPANT_COLUMNS, type Tx } from './conversationsTables';
import {
  copyConversationMessages,
  copyForwardedMessages,
  newestCopyAt,
  readRecomputed,
  removeCopies,
  removeView,
} from './messageCopies';
import { messagePreview } from './messagePreview';
import {
  type ConversationColumns,
  conversationColumnsOf,
  newParticipant,
  type ParticipantRow,
  type ParticipantRows,
  participantValues,
  UNKNOWN_CONVERSATION,
} from './participantRows';
import { ScopeCountDeltas, scopeMask } from './scopeCounts';

export type ConversationsEvent = ConversationEvent | ParticipantViewEvent;
type MessageAdded = Extract<ConversationEvent, { type: 'MessageAdded' }>;

const PARTICIPANT_UPSERT = {
  onConflict: {
    columns: ['user_id', 'conversation_id'],
    update: Object.fromEntries(
      PARTICIPANT_COLUMNS.slice(2).map((column) => [column, `excluded.${column}`]),
    ),
  },
};
/** What every recipient's row takes from a human message, author included. */
function received(
  row: ParticipantRow,
  message: MessageAdded['data'],
  preview: string | null,
  attachments: boolean,
  media: boolean,
): void {
  row.message_count += 1;
  row.last_message_id = message.messageId;
  row.last_message_author_id = idOf(message.authorId);
  row.last_message_preview = preview;
  if (attachments) row.has_attachments = 1;
  if (media) row.has_media_objects = 1;
  row.updated_at = message.createdAt;
  row.dirty = true;
}

/**
 * The conversations read model's one write path. Events change the participant rows they touch
 * in memory, in log order; new conversations, messages, copies and tags are collected; then
 * everything is written with a few multi-row statements. The few events that depend on a
 * conversation's whole history (joining with it, forwarding, removing, deleting, resubscribing)
 * write what is collected so far, run their statements on the copies, and set what those give
 * on the rows in memory. A live batch of one event takes the same path as a rebuild's thousands.
 */
export class ConversationFold {
  /** New conversations, messages, copies and tags, written in a few multi-row statements. */
  readonly #inserts = new PendingInserts();
  readonly #participants: ParticipantRows;
  /** The columns of conversations this batch adds participants to. */
  readonly #conversationColumns: Map<string, ConversationColumns>;

  constructor(
    private readonly tx: Tx,
    participants: ParticipantRows,
    conversationColumns: Map<string, ConversationColumns>,
  ) {
    this.#participants = participants;
    this.#conversationColumns = conversationColumns;
  }

  /**
   * A promise only for the events that run statements: the rest are folded synchronously.
   * Events of other types (a stream prefix may carry them) change nothing here.
   */
  apply(e: ConversationsEvent): Promise<void> | undefined {
    switch (e.type) {
      case 'ConversationStarted':
        this.#started(idOf(e.data.conversationId), e.data);
        return undefined;
      case 'MessageAdded': {
        const conversationId = idOf(e.data.conversationId);
        this.#messageAdded(conversationId, e.data);
        return listOf(e.data.forwardedMessageIds, 'forwardedMessageIds').length > 0
          ? this.#forwarded(conversationId, e.data)
          : undefined;
      }
      case 'RecipientsAdded':
        return this.#recipientsAdded(idOf(e.data.conversationId), e.data);
      case 'ConversationSubscribed':
        return this.#subscribed(idOf(e.data.conversationId), idOf(e.data.userId), e.data.at);
      case 'MessagesRemoved':
        return this.#removed(
          idOf(e.data.conversationId),
          idOf(e.data.userId),
          e.data.messageIds,
          e.data.at,
        );
      case 'ConversationViewDeleted':
        return this.#deleted(idOf(e.data.conversationId), idOf(e.data.userId), e.data.at);
      case 'ConversationMarkedAsRead':
      case 'ConversationMarkedAsUnread':
      case 'ConversationArchived':
      case 'ConversationStarred':
      case 'ConversationUnstarred':
      case 'ConversationUnsubscribed':
        this.#viewChanged(idOf(e.data.conversationId), e);
        return undefined;
      default:
        return undefined;
    }
  }

  /** Writes everything the fold holds, with the scope totals its rows moved. */
  async flush(): Promise<void> {
    await this.#inserts.write(this.tx);
    const created: unknown[][] = [];
    const changed: unknown[][] = [];
    const totals = new ScopeCountDeltas();
    for (const row of this.#participants.values()) {
      if (!row.dirty) continue;
      (row.isNew ? created : changed).push(participantValues(row));
      const scopes = scopeMask(row);
      totals.add(row.user_id, row.scopes, scopes);
      row.scopes = scopes;
      row.isNew = false;
      row.dirty = false;
    }
    await totals.write(this.tx);
    await insertRows(this.tx, 'conversation_participants', PARTICIPANT_COLUMNS, created);
    await insertRows(
      this.tx,
      'conversation_participants',
      PARTICIPANT_COLUMNS,
      changed,
      PARTICIPANT_UPSERT,
    );
  }

  #create(row: ParticipantRow): void {
    if (!this.#participants.add(row)) {
      // A duplicate INSERT would fail: failing the batch makes the runner retry event by
      // event, which parks exactly the event that fails alone.
      throw new Error(
        `conversation_participants: duplicate row for user ${row.user_id} in conversation ${row.conversation_id}`,
      );
    }
  }

  #started(
    conversationId: string,
    d: Extract<ConversationEvent, { type: 'ConversationStarted' }>['data'],
  ) {
    this.#inserts.conversations.push([
      conversationId,
      d.subject ?? null,
      d.privateHash ?? null,
      d.contextCode ?? null,
      d.createdAt,
    ]);
    const columns = conversationColumnsOf(d);
    // A second start of the same conversation fails its INSERT at flush, failing the batch.
    if (!this.#conversationColumns.has(conversationId)) {
      this.#conversationColumns.set(conversationId, columns);
    }
    for (const userId of listOf(d.participantIds, 'participantIds')) {
      this.#create(newParticipant(conversationId, idOf(userId), 'read', d.createdAt, columns));
    }
  }

  /** Canvas's rules for who a message moves: the author's row, then everyone else's. */
  #messageAdded(conversationId: string, d: MessageAdded['data']): void {
    const at = d.createdAt;
    const recipients = listOf(d.recipientIds, 'recipientIds');
    this.#inserts.messages.push([
      d.messageId,
      conversationId,
      d.authorId,
      d.body ?? null,
      at,
      d.generated ? 1 : 0,
      JSON.stringify(d.attachmentIds),
      d.mediaComment ? JSON.stringify(d.mediaComment) : null,
      JSON.stringify(d.forwardedMessageIds),
      JSON.stringify(recipients),
    ]);
    for (const userId of recipients)
      this.#inserts.copies.push([idOf(userId), conversationId, d.messageId, at]);
    if (d.tags) this.#inserts.tag(conversationId, d.tags);

    // Generated messages ("X was added...") count toward nothing and move no row.
    if (d.generated) return;
    const attachments = listOf(d.attachmentIds, 'attachmentIds').length > 0;
    const media = Boolean(d.mediaComment);
    const preview = messagePreview(d.body);

    // The author: only a reply (not the create path) moves the row and un-archives it.
    const author = this.#participants.get(conversationId, idOf(d.authorId));
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
    // already have a last_message_at keep their place and state. The author is told apart by
    // the id as given, and each row moves once however often it is named.
    const moved = new Set<string>();
    for (const raw of recipients) {
      if (raw === d.authorId) continue;
      const userId = idOf(raw);
      if (moved.has(userId)) continue;
      moved.add(userId);
      const row = this.#participants.get(conversationId, userId);
      if (!row) continue;
      const moves = row.last_message_at === null || row.subscribed === 1;
      received(row, d, preview, attachments, media);
      if (moves) {
        row.last_message_at = at;
        row.workflow_state = 'unread';
      }
    }
  }

  /** included_messages: recipients who lack a forwarded message get a copy, and recount. */
  async #forwarded(conversationId: string, d: MessageAdded['data']): Promise<void> {
    for (const raw of d.recipientIds) {
      const userId = idOf(raw);
      await this.#inserts.write(this.tx);
      await copyForwardedMessages(this.tx, userId, d.forwardedMessageIds);
      const row = this.#participants.get(conversationId, userId);
      if (!row) continue;
      const counters = await readRecomputed(this.tx, userId, conversationId);
      row.message_count = counters.message_count;
      row.has_attachments = counters.has_attachments;
      row.has_media_objects = counters.has_media_objects;
      row.dirty = true;
    }
  }

  /** New participants: unread, with copies of every earlier message unless joined silently. */
  async #recipientsAdded(
    conversationId: string,
    d: Extract<ConversationEvent, { type: 'RecipientsAdded' }>['data'],
  ): Promise<void> {
    const columns = this.#conversationColumns.get(conversationId) ?? UNKNOWN_CONVERSATION;
    for (const raw of listOf(d.userIds, 'userIds')) {
      const userId = idOf(raw);
      const row = newParticipant(conversationId, userId, 'unread', d.at, columns);
      this.#create(row);
      // Joined silently through add_message: no earlier messages, only what comes next.
      if (!d.withHistory) continue;
      await this.#inserts.write(this.tx);
      await copyConversationMessages(this.tx, userId, conversationId);
      Object.assign(row, await readRecomputed(this.tx, userId, conversationId));
    }
  }

  /**
   * Resubscribing catches up: last_message_at moves to the newest copy this user holds, and
   * the row turns unread if that is newer than what they had seen.
   */
  async #subscribed(conversationId: string, userId: string, at: string): Promise<void> {
    const row = this.#participants.get(conversationId, userId);
    if (!row) return;
    await this.#inserts.write(this.tx);
    const newest = await newestCopyAt(this.tx, userId, conversationId);
    const seen = row.last_message_at;
    if (seen !== null && newest !== null && newest > seen) row.workflow_state = 'unread';
    row.last_message_at = seen === null ? null : newest;
    row.subscribed = 1;
    row.updated_at = at;
    row.dirty = true;
  }

  async #removed(
    conversationId: string,
    userId: string,
    messageIds: readonly string[],
    at: string,
  ): Promise<void> {
    await this.#inserts.write(this.tx);
    await removeCopies(this.tx, userId, conversationId, listOf(messageIds, 'messageIds'));
    const row = this.#participants.get(conversationId, userId);
    if (!row) return;
    const { last_message_at: _joinedAt, ...counters } = await readRecomputed(
      this.tx,
      userId,
      conversationId,
    );
    Object.assign(row, counters);
    // Nothing human left: the row leaves every list, as DELETE would.
    if (counters.message_count === 0) row.last_message_at = null;
    row.updated_at = at;
    row.dirty = true;
  }

  async #deleted(conversationId: string, userId: string, at: string): Promise<void> {
    await this.#inserts.write(this.tx);
    await removeView(this.tx, userId, conversationId);
    const row = this.#participants.get(conversationId, userId);
    if (!row) return;
    row.workflow_state = 'read';
    row.starred = 0;
    row.last_message_at = null;
    row.last_message_id = null;
    row.last_message_author_id = null;
    row.last_message_preview = null;
    row.message_count = 0;
    row.last_authored_at = null;
    row.visible_last_authored_at = null;
    row.last_authored_message_id = null;
    row.last_authored_preview = null;
    row.has_attachments = 0;
    row.has_media_objects = 0;
    row.updated_at = at;
    row.dirty = true;
  }

  /** A participant's own toggles on their row. */
  #viewChanged(conversationId: string, e: ParticipantViewEvent): void {
    const row = this.#participants.get(conversationId, idOf(e.data.userId));
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
        return;
    }
    row.updated_at = e.data.at;
    row.dirty = true;
  }
}
