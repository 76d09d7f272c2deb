import { CompiledQuery, type Kysely } from 'kysely';
import { MAX_BOUND_PARAMETERS } from './chunkRows';
import { dialectOf } from './database';
import { forgetPostgresColumnTypes, postgresColumnTypes } from './postgresColumnTypes';
import { shadowTablesPluginOf } from './rebuild/shadowTablesPlugin';

export interface InsertRowsOptions {
  /**
   * Conflict target. Without `update` the conflicting rows are skipped (DO NOTHING); with it,
   * each listed column is set to its SQL expression, which may use `excluded.<column>` and
   * `<table>.<column>` (the same syntax on SQLite and PostgreSQL). The expressions are
   * spliced into the SQL: pass only constants from code, never input.
   */
  readonly onConflict?: {
    readonly columns: readonly string[];
    readonly update?: Readonly<Record<string, string>>;
  };
  /** Parameters bound per statement at most. Default `MAX_BOUND_PARAMETERS`. */
  readonly maxParameters?: number;
}

const MAX_CACHED_STATEMENTS = 256;
const MAX_SQLITE_ROWS_PER_STATEMENT = 256;
const statementClauses = new Map<string, { head: string; tail: string }>();
const valuesText = new Map<string, string>();

/**
 * Writes rows (arrays of values in `columns` order) with as few multi-row INSERT statements
 * as the parameter limit allows, in a transaction the caller holds. It builds the SQL text
 * directly: for batch writes, Kysely's per-value query tree costs a good part of SQLite's own
 * insert work.
 */
export async function insertRows(
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  db: Kysely<any>,
  table: string,
  columns: readonly string[],
  rows: readonly (readonly unknown[])[],
  options: InsertRowsOptions = {},
): Promise<void> {
  if (rows.length === 0) return;
  const postgres = dialectOf(db) === 'postgres';
  // The SQL below bypasses Kysely's query tree, so a rebuild's table renaming is applied here.
  const shadow = shadowTablesPluginOf(db);
  for (const row of rows) {
    if (row.length !== columns.length) {
      throw new RangeError(
        `insertRows(${table}): a row has ${row.length} values, expected ${columns.length}`,
      );
    }
  }
  const byParameters = Math.max(
    1,
    Math.floor((options.maxParameters ?? MAX_BOUND_PARAMETERS) / columns.length),
  );
  if (postgres) {
    const target = shadow?.table(table) ?? table;
    if (await insertByUnnest(db, table, target, columns, rows, byParameters, options)) return;
  }
  let start = 0;
  for (const size of postgres ? [byParameters] : sqliteChunkSizes(byParameters)) {
    while (start < rows.length && (rows.length - start >= size || postgres)) {
      const chunk = rows.slice(start, start + size);
      start += chunk.length;
      const parameters: unknown[] = [];
      for (const row of chunk) for (const value of row) parameters.push(value);
      // Only the head and the conflict clause can name tables: renaming the placeholders too
      // would scan up to 30,000 of them per statement.
      const { head, tail } = clausesFor(table, columns, options);
      const text =
        (shadow ? shadow.renameSql(head) : head) +
        valuesFor(postgres, columns.length, chunk.length) +
        (shadow ? shadow.renameSql(tail) : tail);
      await db.executeQuery(CompiledQuery.raw(text, parameters));
    }
  }
}

/**
 * PostgreSQL: one array per column, `insert ... select * from unnest($1::bigint[], ...)`, so a
 * statement binds as many parameters as the table has columns, whatever the rows. Parsing and
 * planning a VALUES list of thousands of rows cost the server more than inserting them: 220,000
 * rows went in three times faster (BENCHMARKS.md). False when it cannot be used: the table is
 * not found (the VALUES path then reports it), or a value is itself an array or a Buffer, which
 * a one-dimensional array parameter cannot carry.
 */
async function insertByUnnest(
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  db: Kysely<any>,
  table: string,
  target: string,
  columns: readonly string[],
  rows: readonly (readonly unknown[])[],
  rowsPerStatement: number,
  options: InsertRowsOptions,
): Promise<boolean> {
  const types = await postgresColumnTypes(db, target);
  const casts: string[] = [];
  for (const column of columns) {
    const type = types.get(column);
    if (type === undefined) return false;
    casts.push(`$${casts.length + 1}::${type}[]`);
  }
  for (const row of rows) {
    for (const value of row) if (Array.isArray(value) || Buffer.isBuffer(value)) return false;
  }
  const { head, tail } = clausesFor(table, columns, options);
  const shadow = shadowTablesPluginOf(db);
  for (let start = 0; start < rows.length; start += rowsPerStatement) {
    const end = Math.min(rows.length, start + rowsPerStatement);
    const arrays: unknown[][] = columns.map(() => new Array<unknown>(end - start));
    for (let r = start; r < end; r++) {
      const row = rows[r]!;
      for (let c = 0; c < columns.length; c++) arrays[c]![r - start] = row[c];
    }
    const text =
      (shadow ? shadow.renameSql(head) : head).replace(/ values $/, ' ') +
      `select * from unnest(${casts.join(', ')})` +
      (shadow ? shadow.renameSql(tail) : tail);
    try {
      await db.executeQuery(CompiledQuery.raw(text, arrays));
    } catch (error) {
      if (TYPE_ERRORS.has((error as { code?: unknown } | null)?.code as string)) {
        forgetPostgresColumnTypes(target);
      }
      throw error;
    }
  }
  return true;
}

/** datatype_mismatch, cannot_coerce, invalid_text_representation, undefined_column. */
const TYPE_ERRORS = new Set(['42804', '42846', '22P02', '42703']);

/**
 * SQLite: statements of a few fixed sizes (256, 32, 4, 1 rows) rather than one of whatever
 * size the batch has, so every shape hits the connection's statement cache (see
 * `createDatabase`): preparing a 1000-row INSERT costs over half as much as running it.
 * PostgreSQL parses each statement anyway and pays a round trip per statement instead, so it
 * gets the fewest statements.
 */
function sqliteChunkSizes(byParameters: number): number[] {
  const sizes = [Math.min(MAX_SQLITE_ROWS_PER_STATEMENT, byParameters)];
  for (let size = Math.floor(sizes[0]! / 8); size > 1; size = Math.floor(size / 8)) {
    sizes.push(size);
  }
  if (sizes[sizes.length - 1] !== 1) sizes.push(1);
  return sizes;
}

function clausesFor(
  table: string,
  columns: readonly string[],
  options: InsertRowsOptions,
): { head: string; tail: string } {
  const key = JSON.stringify([table, columns, options.onConflict ?? null]);
  let clauses = statementClauses.get(key);
  if (clauses === undefined) {
    const head = `insert into ${quote(table)} (${columns.map(quote).join(', ')}) values `;
    let tail = '';
    const conflict = options.onConflict;
    if (conflict) {
      tail += ` on conflict (${conflict.columns.map(quote).join(', ')})`;
      const updates = Object.entries(conflict.update ?? {});
      tail +=
        updates.length === 0
          ? ' do nothing'
          : ` do update set ${updates.map(([column, expression]) => `${quote(column)} = ${expression}`).join(', ')}`;
    }
    clauses = { head, tail };
    remember(statementClauses, key, clauses);
  }
  return clauses;
}

/** `(?, ?), (?, ?)` or `($1, $2), ($3, $4)`: the same for every table of that shape. */
function valuesFor(numbered: boolean, columnCount: number, rowCount: number): string {
  const key = `${numbered ? '$' : '?'}${columnCount}x${rowCount}`;
  let text = valuesText.get(key);
  if (text === undefined) {
    const tuples: string[] = [];
    let n = 0;
    for (let r = 0; r < rowCount; r++) {
      const slots: string[] = [];
      for (let c = 0; c < columnCount; c++) slots.push(numbered ? `$${++n}` : '?');
      tuples.push(`(${slots.join(', ')})`);
    }
    text = tuples.join(', ');
    remember(valuesText, key, text);
  }
  return text;
}

function remember<T>(cache: Map<string, T>, key: string, value: T): void {
  if (cache.size >= MAX_CACHED_STATEMENTS) {
    const oldest = cache.keys().next();
    if (!oldest.done) cache.delete(oldest.value);
  }
  cache.set(key, value);
}

function quote(identifier: string): string {
  return `"${identifier.replace(/"/g, '""')}"`;
}
