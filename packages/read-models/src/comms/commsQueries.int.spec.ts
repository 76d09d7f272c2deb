import { encodeUlid, commsStatus, outboundStateAfter } from '@missive/domain';
import { SqliteEventStore } from '@missive/event-store';
import { ProjectionRunner } from '@missive/projections';
import { seededRandom } from '../../../projections/src/testing/seededRandom';
import { openTestDatabase, type TestDatabase } from '../../../projections/src/testing/testDatabase';
import { commsProjection } from './commsProjection';
import { CommsQueries, type CommsMessageFilter } from './commsQueries';
import {
  asEventData,
  commsMessageCreated,
  deliveryEvents,
  operationCreated,
} from './testing/commsEvents';

const OUTCOMES = ['queued', 'sent', 'delivered', 'undelivered', 'failed', 'canceled'] as const;
const TAG_POOL: Array<[string, string[]]> = [
  ['region', ['EMEA', 'APAC']],
  ['campaign', ['a', 'b', 'c']],
  ['vip', ['yes']],
];

interface Generated {
  id: string;
  operationId: string;
  createdMs: number;
  channel: 'SMS' | 'WHATSAPP';
  status: string;
  tags: Record<string, string>;
}

function matches(m: Generated, f: CommsMessageFilter): boolean {
  if (f.operationId !== undefined && m.operationId !== f.operationId) return false;
  if (f.sessionId !== undefined || f.profileId !== undefined) return false;
  if (f.channel !== undefined && m.channel !== f.channel) return false;
  if (f.status !== undefined && m.status !== f.status) return false;
  if (f.tags && !f.tags.every(([k, v]) => m.tags[k] === v)) return false;
  if (f.createdAfter && !(m.createdMs > f.createdAfter.getTime())) return false;
  if (f.createdBefore && !(m.createdMs < f.createdBefore.getTime())) return false;
  return true;
}

describe.each(['sqlite', 'postgres'] as const)('comms queries on %s', (dialect) => {
  let store: SqliteEventStore;
  let testDb: TestDatabase;
  let queries: CommsQueries;
  const now = new Date();
  const random = seededRandom(dialect === 'sqlite' ? 6 : 7);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const generated: Generated[] = [];
  const operations: string[] = [];
  // A hundred distinct milliseconds over the last two hours: many messages share one.
  const instants = Array.from(
    { length: 100 },
    (_, i) => now.getTime() - 7_200_000 + i * 71_000 + Math.floor(random() * 1000),
  );

  beforeAll(async () => {
    store = new SqliteEventStore({ path: ':memory:' });
    testDb = await openTestDatabase(dialect);
    queries = new CommsQueries(testDb.db);
    for (let o = 0; o < 4; o++) {
      const operationId = encodeUlid(instants[o]!, new Uint8Array(10).fill(o));
      operations.push(operationId);
      await store.append(
        `operation-${operationId}`,
        asEventData([
          operationCreated(operationId, {
            recipients: 60,
            messages: 60,
            createdAt: new Date(instants[o]!).toISOString(),
          }),
        ]),
      );
    }
    const appends: Promise<unknown>[] = [];
    for (let i = 0; i < 240; i++) {
      const createdMs = pick(instants);
      const id = encodeUlid(
        createdMs,
        Uint8Array.from({ length: 10 }, () => random() * 256),
      );
      const tags: Record<string, string> = {};
      for (const [key, values] of TAG_POOL) if (random() < 0.6) tags[key] = pick(values);
      const whatsapp = random() < 0.4;
      const outcome = pick(OUTCOMES);
      const created = commsMessageCreated({
        outboundId: id,
        operationId: operations[i % 4]!,
        channel: whatsapp ? 'whatsapp' : 'phone',
        tags,
        createdAt: new Date(createdMs).toISOString(),
      });
      const events = [created, ...deliveryEvents(id, outcome, now.toISOString())];
      const last = events[events.length - 1]!;
      generated.push({
        id,
        operationId: operations[i % 4]!,
        createdMs,
        channel: whatsapp ? 'WHATSAPP' : 'SMS',
        status: commsStatus(outboundStateAfter(last)!),
        tags,
      });
      appends.push(store.append(`outbound-${id}`, asEventData(events)));
    }
    await Promise.all(appends);
    const runner = new ProjectionRunner({ store, db: testDb.db, projection: commsProjection });
    await runner.catchUp();
    await runner.stop();
    generated.sort((a, b) => (a.id < b.id ? 1 : -1));
  });

  afterAll(async () => {
    await testDb.cleanup();
    await store.close();
  });

  async function pageThrough(filter: CommsMessageFilter, limit: number): Promise<string[]> {
    const ids: string[] = [];
    let after: string | null = null;
    for (let pages = 0; pages < 1000; pages++) {
      const page = await queries.listMessages(filter, { after, limit }, now);
      expect(page.items.length).toBeLessThanOrEqual(limit);
      ids.push(...page.items.map((m) => m.id));
      if (!page.hasMore) return ids;
      expect(page.items).toHaveLength(limit);
      after = page.items[page.items.length - 1]!.id;
    }
    throw new Error('paging did not end');
  }

  it('pages through any filtered list, with any page size, returning each match exactly once', async () => {
    for (let run = 0; run < 60; run++) {
      const filter: CommsMessageFilter = {};
      if (random() < 0.3) filter.operationId = random() < 0.9 ? pick(operations) : '0'.repeat(26);
      if (random() < 0.3) filter.channel = pick(['SMS', 'WHATSAPP', 'RCS']);
      if (random() < 0.3) {
        filter.status = pick(['QUEUED', 'SENT', 'DELIVERED', 'UNDELIVERED', 'FAILED', 'CANCELED']);
      }
      if (random() < 0.4) {
        filter.tags = TAG_POOL.filter(() => random() < 0.5).map(
          ([key, values]) => [key, pick(values)] as const,
        );
        if (filter.tags.length === 0) delete filter.tags;
      }
      if (random() < 0.3) filter.createdAfter = new Date(pick(instants));
      if (random() < 0.3) filter.createdBefore = new Date(pick(instants) + 1);
      const limit = 1 + Math.floor(random() * (random() < 0.5 ? 10 : 120));

      const expected = generated.filter((m) => matches(m, filter)).map((m) => m.id);
      const got = await pageThrough(filter, limit);
      expect({ filter, limit, got }).toEqual({ filter, limit, got: expected });
    }
  });

  it('treats startDate and endDate as exclusive', async () => {
    const instant = generated[10]!.createdMs;
    const at = generated.filter((m) => m.createdMs === instant).map((m) => m.id);
    const only = await pageThrough(
      { createdAfter: new Date(instant - 1), createdBefore: new Date(instant + 1) },
      500,
    );
    expect(only).toEqual(at);
    expect(
      await pageThrough(
        { createdAfter: new Date(instant), createdBefore: new Date(instant + 1) },
        500,
      ),
    ).toEqual([]);
    expect(
      await pageThrough(
        { createdAfter: new Date(instant - 1), createdBefore: new Date(instant) },
        500,
      ),
    ).toEqual([]);
  });

  it('needs every listed tag, and matches none for a session or profile it has never seen', async () => {
    const both = await pageThrough(
      {
        tags: [
          ['region', 'EMEA'],
          ['vip', 'yes'],
        ],
      },
      500,
    );
    expect(both.length).toBeGreaterThan(0);
    for (const id of both) {
      expect(generated.find((m) => m.id === id)!.tags).toMatchObject({
        region: 'EMEA',
        vip: 'yes',
      });
    }
    expect(
      await pageThrough(
        {
          tags: [
            ['region', 'EMEA'],
            ['region', 'APAC'],
          ],
        },
        500,
      ),
    ).toEqual([]);
    expect(await pageThrough({ sessionId: 'x' }, 500)).toEqual([]);
    expect(await pageThrough({ profileId: 'x' }, 500)).toEqual([]);
  });

  it('lists operations newest first with keyset pages and filters', async () => {
    const all = await queries.listOperations({}, { after: null, limit: 3 }, now);
    expect(all.items.map((o) => o.id)).toEqual([...operations].reverse().slice(0, 3));
    expect(all.hasMore).toBe(true);
    const rest = await queries.listOperations({}, { after: all.items[2]!.id, limit: 3 }, now);
    expect(rest.items.map((o) => o.id)).toEqual([operations[0]]);
    expect(rest.hasMore).toBe(false);
    const processing = await queries.listOperations(
      { status: 'PROCESSING', createdAfter: new Date(instants[1]!) },
      { after: null, limit: 10 },
      now,
    );
    expect(processing.items.map((o) => o.id)).toEqual([operations[3], operations[2]]);
  });
});
