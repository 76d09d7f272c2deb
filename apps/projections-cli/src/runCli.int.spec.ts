import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { conversationsProjectorProjections } from '@missive/projectors';
import type { ConversationEvent, ParticipantViewEvent, UserEvent } from '@missive/domain';
import { SqliteEventStore } from '@missive/event-store';
import {
  ProjectionRunner,
  type RunningProjections,
  createDatabase,
  discoverOwnedObjects,
  startProjections,
} from '@missive/projections';
import { conversationsProjection } from '@missive/read-models';
import { type Kysely, sql } from 'kysely';
import { PG_TEST_URL } from '../../../packages/projections/src/testing/testDatabase';
import { runCli } from './runCli';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Db = Kysely<any>;
type Dialect = 'sqlite' | 'postgres';

const at = (n: number) => new Date(Date.UTC(2026, 0, 1, 12, 0, n)).toISOString();

/** A read-model URL of its own: a temp SQLite file, or a fresh PostgreSQL schema. */
async function readModelUrl(dialect: Dialect, dir: string, label: string) {
  if (dialect === 'sqlite')
    return { url: `sqlite:${join(dir, `${label}.db`)}`, drop: async () => {} };
  const schema = `cli_test_${label}_${process.pid}_${randomUUID().slice(0, 8)}`;
  const admin = createDatabase(PG_TEST_URL, { poolSize: 1 });
  await sql`create schema ${sql.id(schema)}`.execute(admin);
  const url = new URL(PG_TEST_URL);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return {
    url: url.toString(),
    drop: async () => {
      await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(admin);
      await admin.destroy();
    },
  };
}

/** Users, conversations with replies, and each participant's own actions. */
async function appendConversations(
  store: SqliteEventStore,
  from: number,
  count: number,
): Promise<void> {
  const append = (
    stream: string,
    ...events: (ConversationEvent | ParticipantViewEvent | UserEvent)[]
  ) =>
    store.append(
      stream,
      events.map((e) => ({ id: randomUUID(), type: e.type, data: e.data })),
    );
  for (let c = from; c < from + count; c++) {
    const id = String(1000 + c);
    const people = ['1', String(2 + (c % 5)), String(7 + (c % 3))];
    await append(`conversation-${id}`, {
      type: 'ConversationStarted',
      data: {
        conversationId: id,
        authorId: people[0]!,
        participantIds: people,
        subject: `subject ${c}`,
        privateHash: null,
        contextCode: null,
        createdAt: at(c),
      },
    });
    for (let m = 0; m < 3; m++) {
      const author = people[m % people.length]!;
      await append(`conversation-${id}`, {
        type: 'MessageAdded',
        data: {
          conversationId: id,
          messageId: String(100_000 + c * 10 + m),
          authorId: author,
          body: `message ${m} of ${c}`,
          createdAt: at(c + m),
          recipientIds: people,
          generated: false,
          attachmentIds: [],
          mediaComment: null,
          forwardedMessageIds: [],
          updateForSender: m > 0,
        },
      });
    }
    const reader = people[1]!;
    await append(`participant-${id}-${reader}`, {
      type: c % 2 === 0 ? 'ConversationStarred' : 'ConversationArchived',
      data: { conversationId: id, userId: reader, at: at(c + 5) },
    } as ParticipantViewEvent);
  }
}

/** Every row of every table the projection owns, sorted, with numbers normalized. */
async function contents(db: Db, tables: readonly string[]): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const table of [...tables].sort()) {
    const rows = await db.selectFrom(table).selectAll().execute();
    out[table] = rows
      .map((row) =>
        JSON.stringify(
          Object.fromEntries(
            Object.entries(row)
              .sort(([a], [b]) => a.localeCompare(b))
              .map(([k, v]) => [k, v === null ? null : String(v)]),
          ),
        ),
      )
      .sort();
  }
  return out;
}

async function indexNames(db: Db, dialect: Dialect): Promise<string[]> {
  const { rows } =
    dialect === 'postgres'
      ? await sql<{
          name: string;
        }>`select indexname as name from pg_indexes where schemaname = current_schema()`.execute(db)
      : await sql<{
          name: string;
        }>`select name from sqlite_schema where type = 'index' and name not like 'sqlite_%'`.execute(
          db,
        );
  // On PostgreSQL the key store of personal data sits in the same database by default; its
  // tables belong to no projection, so a rebuild neither makes nor touches them.
  return rows
    .map((r) => r.name)
    .filter((name) => !name.startsWith('personal_data_'))
    .sort();
}

async function cli(env: NodeJS.ProcessEnv, ...argv: string[]) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on('data', (chunk: Buffer) => out.push(chunk));
  stderr.on('data', (chunk: Buffer) => err.push(chunk));
  const code = await runCli(argv, { env, stdout, stderr });
  return { code, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() };
}

describe.each(['sqlite', 'postgres'] as const)('missive-projections on %s', (dialect) => {
  let dir: string;
  let store: SqliteEventStore;
  let live: { url: string; drop: () => Promise<void> };
  let fresh: { url: string; drop: () => Promise<void> };
  let liveDb: Db;
  let freshDb: Db;
  let projectors: RunningProjections | undefined;
  let env: NodeJS.ProcessEnv;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'projections-cli-'));
    store = new SqliteEventStore({ path: join(dir, 'events.db') });
    live = await readModelUrl(dialect, dir, 'live');
    fresh = await readModelUrl(dialect, dir, 'fresh');
    liveDb = createDatabase(live.url);
    freshDb = createDatabase(fresh.url);
    env = { EVENT_STORE_URL: `sqlite:${join(dir, 'events.db')}`, READ_MODEL_URL: live.url };
  });

  afterEach(async () => {
    await projectors?.stop();
    projectors = undefined;
    await liveDb.destroy();
    await freshDb.destroy();
    await store.close();
    await live.drop();
    await fresh.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('rebuilds the conversations read model beside the live one: same rows and indexes as a fresh build', async () => {
    await appendConversations(store, 0, 40);
    projectors = await startProjections(conversationsProjectorProjections, {
      store,
      db: liveDb,
      pollIntervalMs: 5,
    });
    await Promise.all(projectors.runners.map((r) => r.catchUp()));

    const rebuilt = await cli(env, 'rebuild', 'conversations', '--json', '--batch-size', '50');
    expect(rebuilt).toMatchObject({ code: 0 });
    expect(JSON.parse(rebuilt.stdout)).toMatchObject({
      name: 'conversations',
      version: 1,
      events: 40 * 5,
      parked: 0,
    });
    expect(rebuilt.stderr).toContain('conversations');

    // The live runner goes on over the new tables.
    await appendConversations(store, 40, 10);
    const conversations = projectors.runners.find((r) => r.name === 'conversations')!;
    await conversations.catchUp();
    // The fresh database holds what a first start of the same app would create.
    for (const projection of conversationsProjectorProjections) {
      await new ProjectionRunner({ store, db: freshDb, projection }).catchUp();
    }
    const { tables } = await discoverOwnedObjects(conversationsProjection, dialect);
    expect(await contents(liveDb, [...tables])).toEqual(await contents(freshDb, [...tables]));
    expect((await contents(liveDb, ['conversations'])).conversations).toHaveLength(50);
    expect(await indexNames(liveDb, dialect)).toEqual(await indexNames(freshDb, dialect));

    const status = await cli(env, 'status', '--json');
    expect(status.code).toBe(0);
    const rows = JSON.parse(status.stdout) as { name: string; state: string; lag: number }[];
    expect(rows.find((r) => r.name === 'conversations')).toMatchObject({
      state: 'live',
      lag: 0,
      parked: 0,
    });
    expect(rows.find((r) => r.name === 'notifications')).toMatchObject({
      kind: 'process-manager',
      state: 'not-started',
    });
    const table = await cli(env, 'status');
    expect(table.stdout.split('\n')[0]).toMatch(
      /^NAME +KIND +VERSION +CHECKPOINT +HEAD +LAG +PARKED +STATE +REBUILD$/,
    );
    expect(table.stdout).toMatch(/\nconversations +read-model +1 +\d+ +\d+ +0 +0 +live +-\n/);
  });

  it('refuses to rebuild process managers, and says what it knows', async () => {
    const refused = await cli(env, 'rebuild', 'notifications');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('process manager');
    expect((await cli(env, 'rebuild', 'no-such-thing')).code).toBe(2);
    expect((await cli(env, 'frobnicate')).code).toBe(2);
    const replay = await cli(env, 'replay-parked', 'conversations');
    expect(replay).toMatchObject({ code: 0 });
    expect(replay.stdout).toContain('conversations: 0 applied, 0 still failing');
  });
});
