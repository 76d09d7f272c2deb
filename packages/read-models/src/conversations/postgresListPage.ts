import { sql, type Kysely } from 'kysely';
import type { ConversationFilter } from './conversationViews';
import { readRows } from '../readRows';
import {
  PAGE_COLUMNS,
  PAGE_WIDTH,
  pageRowOf,
  scopeOrderKey,
  scopeRows,
  type PageRow,
} from './listSql';
import type { ConversationScope } from './scopeCondition';
import { SCOPE_COUNT_TABLE } from './scopeCounts';

/** One conversation's participants (ids ascending) and the viewer's tags on it. */
export interface PageRowExtras {
  participantIds: string[];
  participantAuthoredAt: (string | null)[];
  tags: string[];
}

export interface PostgresPage {
  total: number;
  rows: (PageRow & PageRowExtras)[];
}

/**
 * A list page on PostgreSQL in one statement, one round trip: the scope's total, the page's
 * rows in order, each with its participants and the viewer's tags aggregated beside it. Each
 * round trip to a server costs both sides more CPU than the work it carries (a page read in
 * four statements cost several times this one), so what SQLite reads in four cheap in-process
 * queries is asked here at once. Past the end (or in an empty scope) the page is not walked:
 * the one row left carries the total.
 */
export async function readPostgresPage(
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  db: Kysely<any>,
  userId: string,
  scope: ConversationScope,
  { limit, offset }: { limit: number; offset: number },
  filter: ConversationFilter | undefined,
): Promise<PostgresPage> {
  const where = scopeRows(userId, scope, filter);
  const key = scopeOrderKey(scope);
  const unfiltered = !filter || filter.values.length === 0;
  // The kept per-user total when unfiltered; a filter's total is counted in the index.
  const total = unfiltered
    ? sql`COALESCE((SELECT ${sql.ref(scope)} FROM ${sql.table(SCOPE_COUNT_TABLE)}
        WHERE user_id = ${userId}), 0)`
    : sql`(SELECT COUNT(*) FROM conversation_participants cp WHERE ${where})`;
  const rows = await readRows(
    db,
    sql<unknown[]>`WITH total AS (SELECT ${total} AS n),
    ids AS (SELECT cp.conversation_id, ${key} AS k
      FROM conversation_participants cp
      WHERE ${where} AND ${offset} < (SELECT n FROM total)
      ORDER BY ${key} DESC, cp.conversation_id DESC LIMIT ${limit} OFFSET ${offset})
    SELECT ${PAGE_COLUMNS}, total.n AS total,
      p.participant_ids, p.participant_authored_at, tg.tags
    FROM total
    LEFT JOIN ids ON true
    LEFT JOIN conversation_participants cp
      ON cp.user_id = ${userId} AND cp.conversation_id = ids.conversation_id
    LEFT JOIN LATERAL (
      SELECT array_agg(o.user_id ORDER BY o.user_id) AS participant_ids,
        array_agg(o.last_authored_at ORDER BY o.user_id) AS participant_authored_at
      FROM conversation_participants o WHERE o.conversation_id = ids.conversation_id) p ON true
    LEFT JOIN LATERAL (
      SELECT array_agg(t.tag ORDER BY t.tag) AS tags FROM conversation_participant_tags t
      WHERE t.user_id = ${userId} AND t.conversation_id = ids.conversation_id) tg ON true
    ORDER BY ids.k DESC, ids.conversation_id DESC`,
    (v: unknown[]) => v,
    // Five texts, one a scope; a filter's text varies with its values, so it is not kept.
    { prepared: unfiltered },
  );
  // Through Kysely (not the pool `createDatabase` opened), the rows come as objects.
  const arrays = rows.map((r: unknown) => (Array.isArray(r) ? r : Object.values(r as object)));
  const page: PostgresPage = { total: Number(arrays[0]?.[PAGE_WIDTH] ?? 0), rows: [] };
  for (const v of arrays) {
    // The row of an empty page: the total alone.
    if (v[0] === null) continue;
    page.rows.push({
      ...pageRowOf(v),
      participantIds: ((v[PAGE_WIDTH + 1] as unknown[] | null) ?? []).map(String),
      participantAuthoredAt: (v[PAGE_WIDTH + 2] as (string | null)[] | null) ?? [],
      tags: (v[PAGE_WIDTH + 3] as string[] | null) ?? [],
    });
  }
  return page;
}
