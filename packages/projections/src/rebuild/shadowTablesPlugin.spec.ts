import {
  DummyDriver,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
  sql,
} from 'kysely';
import { counterProjection } from '../testing/counterProjection';
import { discoverOwnedObjects } from './discoverOwnedObjects';
import { renameInSql } from './renameInSql';
import { ShadowTablesPlugin, shadowTablesPluginOf } from './shadowTablesPlugin';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function compilerOnly(postgres: boolean): Kysely<any> {
  return new Kysely({
    dialect: {
      createAdapter: () => (postgres ? new PostgresAdapter() : new SqliteAdapter()),
      createDriver: () => new DummyDriver(),
      createIntrospector: (db) =>
        postgres ? new PostgresIntrospector(db) : new SqliteIntrospector(db),
      createQueryCompiler: () =>
        postgres ? new PostgresQueryCompiler() : new SqliteQueryCompiler(),
    },
  });
}

const plugin = new ShadowTablesPlugin({
  tables: new Set(['messages', 'threads']),
  indexes: new Set(['messages_by_thread']),
});
const db = compilerOnly(false).withPlugin(plugin);
const pg = compilerOnly(true).withPlugin(plugin);

describe('ShadowTablesPlugin', () => {
  it('renames owned tables wherever the query names them, and nothing else', () => {
    const query = db
      .selectFrom('messages as m')
      .innerJoin('threads', 'threads.id', 'm.thread_id')
      .innerJoin('users', 'users.id', 'm.author_id')
      .select(['m.id', 'threads.subject', 'users.name'])
      .where('messages_count', '>', 0)
      .compile();
    expect(query.sql).toBe(
      'select "m"."id", "threads__rebuild"."subject", "users"."name" from "messages__rebuild" as "m" ' +
        'inner join "threads__rebuild" on "threads__rebuild"."id" = "m"."thread_id" ' +
        'inner join "users" on "users"."id" = "m"."author_id" where "messages_count" > ?',
    );
  });

  it('renames the targets and qualified references of writes, leaving `excluded` alone', () => {
    const upsert = pg
      .insertInto('threads')
      .values({ id: 1, count: 1 })
      .onConflict((oc) =>
        oc.column('id').doUpdateSet((eb) => ({
          count: eb(eb.ref('threads.count'), '+', eb.ref('excluded.count')),
        })),
      )
      .compile();
    expect(upsert.sql).toBe(
      'insert into "threads__rebuild" ("id", "count") values ($1, $2) on conflict ("id") do update set ' +
        '"count" = "threads__rebuild"."count" + "excluded"."count"',
    );
    expect(db.updateTable('messages').set({ body: 'x' }).compile().sql).toBe(
      'update "messages__rebuild" set "body" = ?',
    );
    expect(db.deleteFrom('projection_checkpoints').compile().sql).toBe(
      'delete from "projection_checkpoints"',
    );
  });

  it('gives indexes and named constraints of owned tables shadow names', () => {
    const create = pg.schema
      .createTable('messages')
      .ifNotExists()
      .addColumn('id', 'bigint', (c) => c.primaryKey())
      .addColumn('thread_id', 'bigint', (c) => c.references('threads.id'))
      .addUniqueConstraint('messages_unique', ['thread_id', 'id'])
      .addCheckConstraint('messages_positive', sql`id > 0`)
      .compile();
    expect(create.sql).toBe(
      'create table if not exists "messages__rebuild" ("id" bigint primary key, ' +
        '"thread_id" bigint references "threads__rebuild" ("id"), ' +
        'constraint "messages_unique__rebuild" unique ("thread_id", "id"), ' +
        'constraint "messages_positive__rebuild" check (id > 0))',
    );
    const other = pg.schema
      .createTable('elsewhere')
      .addColumn('id', 'bigint')
      .addPrimaryKeyConstraint('elsewhere_pk', ['id'])
      .compile();
    expect(other.sql).toContain('constraint "elsewhere_pk" primary key');
    expect(
      db.schema
        .createIndex('messages_by_thread')
        .ifNotExists()
        .on('messages')
        .columns(['thread_id'])
        .compile().sql,
    ).toBe(
      'create index if not exists "messages_by_thread__rebuild" on "messages__rebuild" ("thread_id")',
    );
    expect(db.schema.dropIndex('messages_by_thread').compile().sql).toBe(
      'drop index "messages_by_thread__rebuild"',
    );
  });

  it('renames owned names in the text of sql templates', () => {
    const recount = sql`(SELECT COUNT(*) FROM messages mc JOIN "threads" t ON t.id = mc.thread_id WHERE t.messages = ${3} AND note = 'messages')`;
    const query = db.updateTable('threads').set({ n: recount }).compile();
    expect(query.sql).toBe(
      `update "threads__rebuild" set "n" = (SELECT COUNT(*) FROM messages__rebuild mc JOIN "threads__rebuild" t ON t.id = mc.thread_id WHERE t.messages = ? AND note = 'messages')`,
    );
  });

  it('is found on transactions and derived instances, for SQL built outside the tree', () => {
    expect(shadowTablesPluginOf(db)).toBe(plugin);
    expect(shadowTablesPluginOf(compilerOnly(false))).toBeUndefined();
    expect(plugin.renameSql('insert into "messages" ("id") values (?), (?)')).toBe(
      'insert into "messages__rebuild" ("id") values (?), (?)',
    );
  });
});

describe('renameInSql', () => {
  const rename = (name: string) => (name === 'events' ? 'events_x' : undefined);

  it('skips string literals, comments, qualified names and longer words', () => {
    expect(
      renameInSql(
        `select events.id, e.events, 'events', "events" from events -- events\n/* events */ where x = events_log`,
        rename,
      ),
    ).toBe(
      `select events_x.id, e.events, 'events', "events_x" from events_x -- events\n/* events */ where x = events_log`,
    );
  });

  it('matches unquoted names in any case, quoted ones exactly', () => {
    expect(renameInSql('SELECT * FROM EVENTS, "Events", $1events', rename)).toBe(
      'SELECT * FROM events_x, "Events", $1events',
    );
  });

  it('keeps escaped quotes inside literals and identifiers', () => {
    expect(renameInSql(`select 'it''s events' from "odd""events" join events`, rename)).toBe(
      `select 'it''s events' from "odd""events" join events_x`,
    );
  });
});

describe('discoverOwnedObjects', () => {
  it("lists what a projection's migrate creates, on either dialect", async () => {
    for (const dialect of ['sqlite', 'postgres'] as const) {
      const owned = await discoverOwnedObjects(counterProjection({ prefix: 'p_' }), dialect);
      expect([...owned.tables].sort()).toEqual(['p_counters', 'p_event_log']);
      expect([...owned.indexes]).toEqual([]);
    }
  });

  it('finds tables and indexes created in raw SQL too', async () => {
    const owned = await discoverOwnedObjects(
      {
        name: 'raw',
        version: 1,
        filter: {},
        async migrate(db) {
          await sql`CREATE TABLE IF NOT EXISTS "raw_rows" (id integer)`.execute(db);
          await sql`create unique index if not exists raw_rows_id on raw_rows (id)`.execute(db);
          await db.schema.createIndex('raw_rows_other').on('raw_rows').column('id').execute();
        },
        async apply() {},
      },
      'sqlite',
    );
    expect([...owned.tables]).toEqual(['raw_rows']);
    expect([...owned.indexes].sort()).toEqual(['raw_rows_id', 'raw_rows_other']);
  });
});
