import { streams } from '@missive/domain';
import { comparePositions, createEventStore, type EventStore } from '@missive/event-store';
import { protectMissiveEventStore } from '@missive/personal-data';
import {
  channelsProjectorProjections,
  conversationsProjectorProjections,
  messagesProjectorProjections,
} from '@missive/projectors';
import { createDatabase, discoverOwnedObjects, ProjectionRunner } from '@missive/projections';
import { sql, type Kysely } from 'kysely';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { FAN_OUT_CONCURRENCY } from '../comms/sendMessagesJob';
import { createPgTestDatabase, type PgTestDatabase } from '../testing/pgTestDatabase';
import { holdOutboundCreations, type OutboundCreationsHold } from './holdOutboundCreations';
import { appMain, startApi, startWorker, TopologyProcess } from './topologyProcess';

const ADMIN_TOKEN = 'topology-admin-token-0123456789';
const COMMS_USER = 'ACtopology000000';
const COMMS_SECRET = 'topology-comms-secret-0123456789';
const comms = `Basic ${Buffer.from(`${COMMS_USER}:${COMMS_SECRET}`).toString('base64')}`;
// A first window of the fan-out (FAN_OUT_CONCURRENCY appends) is let through, the rest held
// in the database until instance A is dead: A dies mid-fan-out on any machine, and the
// notifier then has a few hundred messages to deliver, not thousands.
const HOLD_AFTER = FAN_OUT_CONCURRENCY;
const RECIPIENTS = FAN_OUT_CONCURRENCY + 88;
const READ_MODELS = [
  ...conversationsProjectorProjections,
  ...channelsProjectorProjections,
  ...messagesProjectorProjections,
];

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Db = Kysely<any>;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

/** One request; a refused connection or a reset is an answer of its own (status 0). */
async function call(
  url: string,
  method: string,
  path: string,
  body?: unknown,
  authorization = `Bearer ${ADMIN_TOKEN}`,
): Promise<{ status: number; body: Json }> {
  try {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: {
        authorization,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  } catch {
    return { status: 0, body: null };
  }
}

/** Polls `probe` until it is true; a probe that throws counts as false, and is reported. */
async function until(what: string, probe: () => Promise<boolean>, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  let failure: unknown;
  const attempt = () =>
    probe().catch((error: unknown) => {
      failure = error;
      return false;
    });
  while (!(await attempt())) {
    if (Date.now() > deadline) {
      const why = failure === undefined ? '' : ` (the probe last failed: ${String(failure)})`;
      throw new Error(`timed out waiting for ${what}${why}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Every row of every table, sorted, values as text: comparable between two schemas. */
async function contents(db: Db, tables: readonly string[]): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const table of [...tables].sort()) {
    const rows = await db.selectFrom(table).selectAll().execute();
    out[table] = rows
      .map((row) =>
        JSON.stringify(
          Object.entries(row)
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([k, v]) => [k, v === null ? null : String(v)]),
        ),
      )
      .sort();
  }
  return out;
}

/**
 * Production's topology on one PostgreSQL database, each part its own OS process on loopback:
 * two API instances without projectors, the three projector apps and the notifier. Writes go
 * through both APIs while one API and one projector are killed with SIGKILL and restarted.
 * Runs by default (needs `npm run build`: it spawns the apps' dist mains); SKIP_TOPOLOGY_TEST=1
 * skips it, saying so.
 */
const SKIP = process.env.SKIP_TOPOLOGY_TEST === '1';
if (SKIP) {
  process.stderr.write('topology test skipped: SKIP_TOPOLOGY_TEST=1 is set\n');
}

(SKIP ? describe.skip : describe)('the multi-instance topology on PostgreSQL', () => {
  let pg: PgTestDatabase;
  let dir: string;
  let store: EventStore;
  let hold: OutboundCreationsHold | undefined;
  const running: TopologyProcess[] = [];

  beforeAll(async () => {
    pg = await createPgTestDatabase('missive_topology');
    dir = mkdtempSync(join(tmpdir(), 'missive-topology-'));
    // The processes keep the keys of personal data beside the read models: read through them.
    store = protectMissiveEventStore(createEventStore(pg.url), pg.url);
  }, 60_000);
  afterAll(async () => {
    await hold?.release();
    await Promise.all(running.map((p) => p.kill('SIGKILL')));
    await store?.close();
    await pg?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  const shared = () => ({
    EVENT_STORE_URL: pg.url,
    READ_MODEL_URL: pg.url,
    DATA_DIR: dir,
    CONFIRMATION_SECRET: 'topology-confirmation-secret-0123456789',
    LOG_LEVEL: 'warn',
    PROJECTOR_POLL_INTERVAL_MS: '200',
  });
  const apiEnv = (nodeId: number) => ({
    ...shared(),
    PORT: '0',
    NODE_ID: String(nodeId),
    API_WORKERS: '1',
    RUN_PROJECTORS: 'false',
    RUN_NOTIFIER: 'false',
    ADMIN_TOKEN,
    COMMS_ACCOUNT_ID: COMMS_USER,
    COMMS_AUTH_TOKEN: COMMS_SECRET,
    COMMS_RATE_LIMIT_PER_SEC: '100000',
    COMMS_RATE_LIMIT_BURST: '100000',
    RATE_LIMIT_HIGH_WATER_MARK: '100000',
    RATE_LIMIT_MAXIMUM: '100000',
    // Any lag makes an instance unready, so that a stopped projector shows at once.
    READY_MAX_LAG: '0',
    READ_YOUR_WRITES_TIMEOUT_MS: '1500',
    // A dead instance's jobs are taken up within seconds, not the default minute.
    JOB_LEASE_MS: '5000',
    JOB_SWEEP_INTERVAL_MS: '300',
  });
  const spawned = (p: TopologyProcess) => void running.push(p);
  const api = (nodeId: number) => startApi(apiEnv(nodeId), `api ${nodeId}`, spawned);
  const worker = (app: string, env: Record<string, string> = {}) =>
    startWorker(app, { ...shared(), ...env }, spawned);

  it('serves as one, loses and duplicates nothing through SIGKILLs, and matches a fresh rebuild', async () => {
    // Where the time goes, printed as it goes: a slow or stuck phase shows in the CI log.
    const began = Date.now();
    const step = (what: string) =>
      process.stderr.write(`topology ${((Date.now() - began) / 1000).toFixed(1)}s: ${what}\n`);
    // The first instance creates the schemas before the others start, as a deploy would.
    /** Prints how long a process took to start, and the CPU time that took. */
    const startedIn =
      (what: string, since: number) =>
      <T extends TopologyProcess | { process: TopologyProcess }>(started: T) => {
        const cpu = (started instanceof TopologyProcess ? started : started.process).cpuSeconds();
        const wall = ((Date.now() - since) / 1000).toFixed(1);
        step(`${what} started in ${wall}s${cpu === undefined ? '' : ` (${cpu.toFixed(1)}s CPU)`}`);
        return started;
      };
    let a = await api(1).then(startedIn('API 1', began));
    const starting = Date.now();
    const [b, conversationsProjector] = await Promise.all([
      api(2).then(startedIn('API 2', starting)),
      worker('conversations-projector').then(startedIn('the conversations projector', starting)),
      worker('channels-projector').then(startedIn('the channels projector', starting)),
      worker('messages-projector').then(startedIn('the messages projector', starting)),
      worker('notifier', { NODE_ID: '3' }).then(startedIn('the notifier', starting)),
    ]);
    step('6 processes started');
    await until('both instances ready', async () => {
      const answers = await Promise.all([a, b].map((x) => call(x.url, 'GET', '/ready')));
      return answers.every((r) => r.status === 200);
    });

    const acknowledged = new Map<string, string>();
    let attempts = 0;
    // How the writes were answered (0: no connection), printed with the steps.
    const answers = new Map<number, number>();
    const tally = () => JSON.stringify(Object.fromEntries(answers));
    /** A user through one instance, read back at once through the other. */
    const write = async (i: number) => {
      const [via, other] = i % 2 ? [a, b] : [b, a];
      const login = `user${i}@example.com`;
      attempts++;
      const created = await call(via.url, 'POST', '/api/v1/accounts/self/users', {
        user: { name: `User ${i}` },
        pseudonym: { unique_id: login },
      });
      answers.set(created.status, (answers.get(created.status) ?? 0) + 1);
      if (created.status !== 200) return;
      acknowledged.set(login, String(created.body.id));
      const read = await call(other.url, 'GET', `/api/v1/users/${created.body.id}`);
      // The other instance is alive and serving: it must see the write already.
      if (read.status !== 0)
        expect(read).toMatchObject({ status: 200, body: { name: `User ${i}` } });
    };
    let next = 0;
    let stopped = false;
    // Steady rather than flat out: the machine also runs the six processes under test.
    const writers = Array.from({ length: 3 }, async () => {
      while (!stopped) {
        await write(next++);
        await new Promise((r) => setTimeout(r, 25));
      }
    });
    await until('some writes', async () => acknowledged.size >= 20);

    step(`${acknowledged.size} writes acknowledged`);
    // A Comms send whose fan-out instance A is running when it dies: the send is never
    // acknowledged, but its operation was recorded, so it must be finished by B.
    const to = Array.from({ length: RECIPIENTS }, (_, i) => ({
      address: `+1415555${String(i).padStart(4, '0')}`,
      channel: 'PHONE',
    }));
    const before = await store.headPosition();
    hold = await holdOutboundCreations(pg.url, HOLD_AFTER);
    const unanswered = call(a.url, 'POST', '/v1/Messages', { to, content: { text: 'Hi' } }, comms);
    // A's fan-out is under way and waits in the database: this is where A dies.
    await until('the fan-out held mid-way', () => hold!.holding(), 120_000).catch(
      (error: Error) => {
        throw new Error(`${error.message}\napi 1:\n${a.process.output.slice(-2000)}`);
      },
    );
    step("A's fan-out held mid-way");
    const killedPid = a.process.pid;
    await a.process.kill('SIGKILL');
    const createdByA = await hold.created();
    // Every append waits behind the held one (the append lock): let them go at once.
    await hold.release();
    expect((await unanswered).status).toBe(0);
    await conversationsProjector.kill('SIGKILL');
    // Straight from the log: the read models may trail the fan-out under this load.
    let operationId = '';
    const created = store.readAll({
      fromPosition: before,
      filter: { eventTypes: ['MessageOperationCreated'] },
      maxCount: 1,
    });
    for await (const event of created) operationId = event.streamId.slice('operation-'.length);
    expect(operationId).not.toBe('');

    step(
      `killed API 1 (${createdByA} of ${RECIPIENTS} messages created) and the conversations projector`,
    );
    // With the projector gone, a write through B is durable but its view lags: B answers 503
    // (the write stands, checked below) and is not ready.
    const lagging = await call(b.url, 'POST', '/api/v1/accounts/self/users', {
      user: { name: 'While lagging' },
      pseudonym: { unique_id: 'lagging@example.com' },
    });
    expect(lagging.status).toBe(503);
    expect((await call(b.url, 'GET', '/ready')).status).toBe(503);

    step('B not ready while the projector is down');
    const restarting = Date.now();
    [, a] = await Promise.all([
      worker('conversations-projector').then(startedIn('the conversations projector', restarting)),
      api(1).then(startedIn('API 1', restarting)),
    ]);
    step(`restarted ${tally()}`);
    // Under load the projections are never at the head for long: readiness is checked again
    // once the writes stop (below).
    await until('more writes through both', async () => acknowledged.size >= 50);
    stopped = true;
    await Promise.all(writers);

    step(`writers stopped: ${acknowledged.size} of ${attempts} acknowledged ${tally()}`);
    // The send was finished by a surviving runner, not the killed one.
    let lastSeen: Json = null;
    await until(
      'the send finished',
      async () => {
        const seen = await call(
          b.url,
          'GET',
          `/v1/Messages/Operations/comms_operation_${operationId}`,
          undefined,
          comms,
        );
        lastSeen = seen;
        return seen.body?.status === 'COMPLETED';
      },
      180_000,
    ).catch(async (error: Error) => {
      const status = await promisify(execFile)(
        process.execPath,
        [appMain('projections-cli'), 'status'],
        { env: { ...process.env, ...shared() } },
      ).then(
        (r) => r.stdout,
        (e: Error) => String(e),
      );
      const projector = running.find((p) => p.name === 'messages-projector');
      throw new Error(
        `${error.message}: last ${JSON.stringify(lastSeen)}\n${status}\nmessages-projector:\n${projector?.output.slice(-2000)}\napi 2:\n${b.process.output.slice(-1500)}`,
      );
    });
    // The claims in order (runner is host/pid/start): A claimed it with the send, and the
    // claim in force when it was processed is another process's.
    const claims: string[] = [];
    let claimedWhenProcessed: string | undefined;
    for await (const event of store.readStream(streams.operation(operationId))) {
      if (event.type === 'MessageOperationClaimed') {
        claims.push((event.data as { runner: string }).runner.split('/')[1]!);
      }
      if (event.type === 'MessageOperationProcessed') claimedWhenProcessed = claims.at(-1);
    }
    expect(claims[0]).toBe(String(killedPid));
    expect(claimedWhenProcessed).toBeDefined();
    expect(claimedWhenProcessed).not.toBe(String(killedPid));
    const operation = await call(
      b.url,
      'GET',
      `/v1/Messages/Operations/comms_operation_${operationId}`,
      undefined,
      comms,
    );
    expect(operation.body.stats.total).toBe(RECIPIENTS);

    step('the send finished on the surviving instance');
    // Quiet: nothing appended for a while, and every projection at the head on both instances.
    let head = await store.headPosition();
    await until(
      'quiet',
      async () => {
        await new Promise((r) => setTimeout(r, 1500));
        const now = await store.headPosition();
        const same = comparePositions(now, head) === 0;
        head = now;
        const ready = await Promise.all([a, b].map((x) => call(x.url, 'GET', '/ready')));
        return same && ready.every((r) => r.status === 200);
      },
      240_000,
    );

    step('quiet');
    // No acknowledged write lost, none written twice.
    const registered = new Map<string, number>();
    const ids = new Map<string, string>();
    // The send's messages: one per recipient, whichever process created it.
    const messages = new Map<string, number>();
    for await (const event of store.readAll()) {
      if (
        event.type === 'OutboundMessageCreated' &&
        (event.data as { operationId: string | null }).operationId === operationId
      ) {
        messages.set(event.streamId, (messages.get(event.streamId) ?? 0) + 1);
      }
      if (event.type !== 'UserRegistered') continue;
      const { loginId, userId } = event.data as { loginId: string; userId: string };
      registered.set(loginId, (registered.get(loginId) ?? 0) + 1);
      ids.set(loginId, userId);
    }
    expect([...registered.values()].every((n) => n === 1)).toBe(true);
    for (const [login, id] of acknowledged) {
      expect(registered.get(login)).toBe(1);
      for (const x of [a, b]) {
        expect((await call(x.url, 'GET', `/api/v1/users/${id}`)).status).toBe(200);
      }
    }
    // The write answered 503 while the projector was down is there once, and served.
    expect(registered.get('lagging@example.com')).toBe(1);
    for (const x of [a, b]) {
      const id = ids.get('lagging@example.com');
      expect(await call(x.url, 'GET', `/api/v1/users/${id}`)).toMatchObject({
        status: 200,
        body: { name: 'While lagging' },
      });
    }
    expect(messages.size).toBe(RECIPIENTS);
    expect([...messages.values()].every((n) => n === 1)).toBe(true);

    step('no write lost or duplicated');
    // Every read model equals one built afresh from the log, in a schema of its own.
    const live = createDatabase(pg.url);
    await sql`create schema fresh`.execute(live);
    const fresh = createDatabase(pg.url, { schema: 'fresh' });
    const sameAsFresh = async (projections: typeof READ_MODELS) => {
      for (const projection of projections) {
        const { tables } = await discoverOwnedObjects(projection, 'postgres');
        expect({ [projection.name]: await contents(live, [...tables]) }).toEqual({
          [projection.name]: await contents(fresh, [...tables]),
        });
      }
    };
    const cli = (...args: string[]) =>
      promisify(execFile)(process.execPath, [appMain('projections-cli'), ...args], {
        env: { ...process.env, ...shared() },
      });
    try {
      for (const projection of READ_MODELS) {
        await new ProjectionRunner({ store, db: fresh, projection }).catchUp();
      }
      await sameAsFresh(READ_MODELS);

      // The operators' CLI on the PostgreSQL store: everything live and at the head; a
      // blue/green rebuild swaps in a copy equal to the fresh build.
      const statuses = JSON.parse((await cli('status', '--json')).stdout) as {
        name: string;
        lag: number;
      }[];
      for (const projection of READ_MODELS) {
        expect(statuses.find((s) => s.name === projection.name)).toMatchObject({ lag: 0 });
      }
      const rebuilt = JSON.parse((await cli('rebuild', 'conversations', '--json')).stdout);
      expect(rebuilt).toMatchObject({ name: 'conversations', parked: 0 });
      await sameAsFresh(READ_MODELS.filter((p) => p.name === 'conversations'));
    } finally {
      await fresh.destroy();
      await live.destroy();
    }
  }, 600_000);
});
