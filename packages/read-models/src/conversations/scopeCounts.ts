import { insertRows } from '@missive/projections';
import { sql, type Kysely } from 'kysely';
import { compareIds } from './compareIds';
import { type ConversationScope, scopeCondition } from './scopeCondition';
import type { ConversationParticipantsTable } from './conversationsTables';

/**
 * Per-user totals of each list scope, kept by the projection beside the participant rows, so
 * that Canvas's `last` link and `unread_count` read one row instead of counting a user's whole
 * index range (10,000 rows for a large inbox: about half a millisecond per request).
 */
export const SCOPE_COUNT_TABLE = 'conversation_scope_counts';

/** The count columns, also the scopes' bit order in a mask. */
export const COUNTED_SCOPES = ['inbox', 'unread', 'archived', 'sent', 'starred'] as const;

type MaskedRow = Pick<
  ConversationParticipantsTable,
  'message_count' | 'last_message_at' | 'workflow_state' | 'visible_last_authored_at' | 'starred'
>;

/**
 * The scopes a participant row is listed in, as bits in `COUNTED_SCOPES` order: the same rules
 * as the list's SQL (`scopeCondition`), which a test holds them to.
 */
export function scopeMask(row: MaskedRow): number {
  if (!(Number(row.message_count) > 0)) return 0;
  let mask = 0;
  if (row.last_message_at !== null) {
    if (row.workflow_state === 'archived') mask |= 4;
    else {
      mask |= 1;
      if (row.workflow_state === 'unread') mask |= 2;
    }
  }
  if (row.visible_last_authored_at !== null) mask |= 8;
  if (Number(row.starred) === 1) mask |= 16;
  return mask;
}

const DELTA_COLUMNS = ['user_id', ...COUNTED_SCOPES];
const ADD_DELTAS = {
  onConflict: {
    columns: ['user_id'],
    update: Object.fromEntries(
      COUNTED_SCOPES.map((scope) => [scope, `${SCOPE_COUNT_TABLE}.${scope} + excluded.${scope}`]),
    ),
  },
};

/** Changes to the per-user totals, collected over a batch and written with one upsert. */
export class ScopeCountDeltas {
  readonly #byUser = new Map<string, number[]>();

  /** A row of `userId` went from the scopes in `before` to those in `after`. */
  add(userId: string, before: number, after: number): void {
    if (before === after) return;
    let deltas = this.#byUser.get(userId);
    if (!deltas) {
      deltas = COUNTED_SCOPES.map(() => 0);
      this.#byUser.set(userId, deltas);
    }
    for (let bit = 0; bit < COUNTED_SCOPES.length; bit++) {
      deltas[bit]! += ((after >> bit) & 1) - ((before >> bit) & 1);
    }
  }

  /** Rows whose masks changed between two snapshots of the same conversation. */
  addSnapshots(before: ReadonlyMap<string, number>, after: ReadonlyMap<string, number>): void {
    for (const [userId, mask] of before) this.add(userId, mask, after.get(userId) ?? 0);
    for (const [userId, mask] of after) if (!before.has(userId)) this.add(userId, 0, mask);
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  async write(tx: Kysely<any>): Promise<void> {
    const rows: unknown[][] = [];
    for (const [userId, deltas] of this.#byUser) {
      if (deltas.some((d) => d !== 0)) rows.push([userId, ...deltas]);
    }
    this.#byUser.clear();
    rows.sort((a, b) => compareIds(a[0] as string, b[0] as string));
    await insertRows(tx, SCOPE_COUNT_TABLE, DELTA_COLUMNS, rows, ADD_DELTAS);
  }
}

/** Each participant's scope mask in one conversation (ids as canonical text). */
export async function scopeMasksOf(
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  tx: Kysely<any>,
  conversationId: string,
): Promise<Map<string, number>> {
  const { rows } = await sql<MaskedRow & { user_id: string }>`
    SELECT cast(user_id as text) as user_id, message_count, last_message_at, workflow_state,
      visible_last_authored_at, starred
    FROM conversation_participants WHERE conversation_id = ${conversationId}`.execute(tx);
  return new Map(rows.map((row) => [row.user_id, scopeMask(row)]));
}

/**
 * Every user's totals counted from the participant rows with the list's own conditions: what the
 * kept totals must equal.
 */
export function countedScopes() {
  const totals = COUNTED_SCOPES.map(
    (scope) => sql`sum(case when ${scopeCondition(scope)} then 1 else 0 end) AS ${sql.ref(scope)}`,
  );
  return sql<Record<'user_id' | (typeof COUNTED_SCOPES)[number], number | string>>`
    SELECT cp.user_id AS user_id, ${sql.join(totals)}
    FROM conversation_participants cp WHERE cp.message_count > 0 GROUP BY cp.user_id`;
}

/**
 * Creates the totals table; on a read model that predates it, counts them once from the rows
 * (only while the table is empty, so a restart costs nothing).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function migrateScopeCounts(db: Kysely<any>): Promise<void> {
  let table = db.schema
    .createTable(SCOPE_COUNT_TABLE)
    .ifNotExists()
    .addColumn('user_id', 'bigint', (c) => c.primaryKey());
  for (const scope of COUNTED_SCOPES) {
    table = table.addColumn(scope, 'integer', (c) => c.notNull());
  }
  await table.execute();
  // Asked first: SQLite would count every row before testing a NOT EXISTS guard.
  const { rows } =
    await sql`SELECT 1 AS present FROM ${sql.table(SCOPE_COUNT_TABLE)} LIMIT 1`.execute(db);
  if (rows.length > 0) return;
  await sql`INSERT INTO ${sql.table(SCOPE_COUNT_TABLE)} (user_id, inbox, unread, archived, sent, starred)
    ${countedScopes()}`.execute(db);
}

/** The kept total of one scope (0 for a user with no rows). */
export async function scopeCount(
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  db: Kysely<any>,
  userId: string,
  scope: ConversationScope,
): Promise<number> {
  const { rows } = await sql<{ n: number | string }>`SELECT ${sql.ref(scope)} AS n
    FROM ${sql.table(SCOPE_COUNT_TABLE)} WHERE user_id = ${userId}`.execute(db);
  return Number(rows[0]?.n ?? 0);
}
