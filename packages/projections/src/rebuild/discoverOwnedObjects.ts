import {
  DummyDriver,
  type KyselyPlugin,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type RootOperationNode,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
} from 'kysely';
import type { SqlDialectName } from '../database';
import type { Projection } from '../projection';
import type { OwnedObjects } from './shadowTablesPlugin';

// DDL written by hand in `sql` templates: the names still have to be found.
const RAW_CREATE_TABLE =
  /\bcreate\s+(?:(?:temp|temporary|unlogged)\s+)?table\s+(?:if\s+not\s+exists\s+)?"?([A-Za-z_][\w$]*)"?/gi;
const RAW_CREATE_INDEX =
  /\bcreate\s+(?:unique\s+)?index\s+(?:concurrently\s+)?(?:if\s+not\s+exists\s+)?"?([A-Za-z_][\w$]*)"?\s+on\s+(?:only\s+)?"?([A-Za-z_][\w$]*)"?/gi;

/**
 * Which tables and indexes a projection's `migrate` creates, found by running it against a
 * database that executes nothing (every query answers with no rows) and reading the queries.
 * These are the projection's own objects: the ones a blue/green rebuild copies and swaps.
 */
export async function discoverOwnedObjects(
  projection: Projection,
  dialect: SqlDialectName,
): Promise<OwnedObjects> {
  const tables = new Set<string>();
  const indexes = new Set<string>();
  const recorder: KyselyPlugin = {
    transformQuery: ({ node }) => {
      record(node, tables, indexes);
      return node;
    },
    transformResult: async ({ result }) => result,
  };
  const postgres = dialect === 'postgres';
  const db = new Kysely({
    dialect: {
      createAdapter: () => (postgres ? new PostgresAdapter() : new SqliteAdapter()),
      createDriver: () => new DummyDriver(),
      createIntrospector: (inner) =>
        postgres ? new PostgresIntrospector(inner) : new SqliteIntrospector(inner),
      createQueryCompiler: () =>
        postgres ? new PostgresQueryCompiler() : new SqliteQueryCompiler(),
    },
    plugins: [recorder],
  });
  try {
    await projection.migrate(db);
  } finally {
    await db.destroy();
  }
  return { tables, indexes };
}

function record(node: RootOperationNode, tables: Set<string>, indexes: Set<string>): void {
  switch (node.kind) {
    case 'CreateTableNode':
      if (!node.table.table.schema) tables.add(node.table.table.identifier.name);
      return;
    case 'CreateIndexNode':
      indexes.add(node.name.name);
      return;
    case 'RawNode': {
      const text = node.sqlFragments.join(' ');
      for (const match of text.matchAll(RAW_CREATE_TABLE)) tables.add(match[1]!);
      for (const match of text.matchAll(RAW_CREATE_INDEX)) indexes.add(match[1]!);
      return;
    }
    default:
      return;
  }
}
