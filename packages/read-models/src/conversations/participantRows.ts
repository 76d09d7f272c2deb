import type { ConversationStarted } from '@missive/domain';
import { sql } from 'kysely';
import {
  type ConversationParticipantsTable,
  PARTICIPANT_COLUMNS,
  type Tx,
  type WorkflowState,
} from './conversationsTables';
import { scopeMask } from './scopeCounts';

/** What every participant row copies from its conversation (see `conversationsTables`). */
export interface ConversationColumns {
  subject: string | null;
  is_private: number;
  context_code: string | null;
}

/** A conversation the read model has no row for: a joining participant copies nothing. */
export const UNKNOWN_CONVERSATION: ConversationColumns = {
  subject: null,
  is_private: 0,
  context_code: null,
};

export function conversationColumnsOf(
  data: Pick<ConversationStarted['data'], 'subject' | 'privateHash' | 'contextCode'>,
): ConversationColumns {
  return {
    subject: data.subject ?? null,
    is_private: data.privateHash == null ? 0 : 1,
    context_code: data.contextCode ?? null,
  };
}

/** Id columns come back as text (`cast`), so no BIGINT loses precision on its way through JS. */
type AsText<T> = [string] extends [T] ? Exclude<T, number> : T;

/** A participant row as the fold holds it: the table's columns, ids as canonical decimal text. */
export type ParticipantColumns = {
  [K in keyof ConversationParticipantsTable]: AsText<ConversationParticipantsTable[K]>;
};

export interface ParticipantRow extends ParticipantColumns {
  /** Not in the table yet: written with a plain INSERT, so a duplicate still fails. */
  isNew: boolean;
  /** `scopeMask` of the row as the table holds it: what the scope totals count it in. */
  scopes: number;
  dirty: boolean;
}

const ID_COLUMNS = new Set<string>([
  'user_id',
  'conversation_id',
  'last_message_id',
  'last_authored_message_id',
  'last_message_author_id',
]);
const NUMBER_COLUMNS = new Set<string>([
  'starred',
  'subscribed',
  'message_count',
  'has_attachments',
  'has_media_objects',
  'is_private',
]);

/** A participant row as it starts: nothing delivered yet, subscribed, not starred. */
export function newParticipant(
  conversationId: string,
  userId: string,
  workflowState: WorkflowState,
  at: string,
  conversation: ConversationColumns,
): ParticipantRow {
  return {
    user_id: userId,
    conversation_id: conversationId,
    workflow_state: workflowState,
    starred: 0,
    subscribed: 1,
    last_message_at: null,
    last_message_id: null,
    message_count: 0,
    last_authored_at: null,
    visible_last_authored_at: null,
    last_authored_message_id: null,
    has_attachments: 0,
    has_media_objects: 0,
    updated_at: at,
    subject: conversation.subject,
    is_private: conversation.is_private,
    context_code: conversation.context_code,
    last_message_author_id: null,
    last_message_preview: null,
    last_authored_preview: null,
    isNew: true,
    scopes: 0,
    dirty: true,
  };
}

/**
 * A batch's participant rows by conversation, then user. Nested maps rather than one keyed by
 * `conversation/user`: the fold looks rows up several times per event, and ids straight from
 * the event keep their hashes, where a joined key would be a new string to hash every time.
 */
export class ParticipantRows {
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

/** Conversation ids per loading query: far under both databases' parameter limits. */
const LOAD_CHUNK = 5000;

const SELECT_PARTICIPANT = sql.join(
  PARTICIPANT_COLUMNS.map((column) =>
    ID_COLUMNS.has(column)
      ? sql`cast(${sql.ref(column)} as text) as ${sql.ref(column)}`
      : sql.ref(column),
  ),
);

/** The participant rows of these conversations, as the fold holds them. */
export async function loadParticipants(
  tx: Tx,
  conversationIds: readonly string[],
): Promise<ParticipantRows> {
  const rows = new ParticipantRows();
  for (let i = 0; i < conversationIds.length; i += LOAD_CHUNK) {
    const ids = conversationIds.slice(i, i + LOAD_CHUNK);
    const { rows: loaded } = await sql<Record<string, unknown>>`
      select ${SELECT_PARTICIPANT} from conversation_participants
      where conversation_id in (${sql.join(ids)})`.execute(tx);
    for (const raw of loaded) {
      // Built from a fresh row of the same shape, so every row keeps one hidden class.
      const row = newParticipant('', '', 'read', '', UNKNOWN_CONVERSATION);
      const target = row as unknown as Record<string, unknown>;
      for (const column of PARTICIPANT_COLUMNS) {
        const value = raw[column];
        target[column] = NUMBER_COLUMNS.has(column) ? Number(value) : value;
      }
      row.isNew = false;
      row.dirty = false;
      row.scopes = scopeMask(row);
      rows.add(row);
    }
  }
  return rows;
}

/** The columns participant rows copy from these conversations, for those with a row. */
export async function loadConversationColumns(
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

/** The row's values in `PARTICIPANT_COLUMNS` order, as `insertRows` takes them. */
export function participantValues(row: ParticipantRow): unknown[] {
  return PARTICIPANT_COLUMNS.map((column) => row[column]);
}
