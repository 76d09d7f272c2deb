import { seededRandom } from '../../../../packages/projections/src/testing/seededRandom';
import { TestApp } from '../testing/testApp';
import {
  COMMS_ENV,
  CommsClient,
  createdMsOf,
  eventually,
  type Json as Message,
} from './testing/commsClient';
import { dispatchThroughSandbox } from './testing/dispatchThroughSandbox';

/** Recipients whose sandbox outcome gives each status (README, magic numbers). */
const FATES = ['+14155550100', '+15005550011', '+15005550001', '+15005550010', 'queued'] as const;
const FINAL_STATUS: Record<string, string> = {
  '+14155550100': 'DELIVERED',
  '+15005550011': 'UNDELIVERED',
  '+15005550001': 'FAILED',
  '+15005550010': 'SENT',
  '+14155550199': 'QUEUED',
};

describe('Comms Messages: listing, filters and pages', () => {
  let app: TestApp;
  let comms: CommsClient;
  const operations: string[] = [];
  let universe: Message[] = [];
  const random = seededRandom(20_260_601);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;

  beforeAll(async () => {
    app = await TestApp.start(COMMS_ENV);
    comms = new CommsClient(app);
    const tagSets = [
      { region: 'EMEA', campaign: 'spring' },
      { region: 'APAC', campaign: 'spring' },
      { region: 'EMEA', campaign: 'autumn', vip: 'yes' },
      {},
      { campaign: 'spring' },
    ];
    for (const tags of tagSets) {
      const to = Array.from({ length: 24 + Math.floor(random() * 12) }, () => {
        const fate = pick(FATES);
        return {
          address: fate === 'queued' ? '+14155550199' : fate,
          channel: random() < 0.35 ? 'WHATSAPP' : 'PHONE',
        };
      });
      operations.push(await comms.send({ to, content: { text: 'Hi' }, tags }));
    }
    operations.push(
      await comms.send({
        to: [{ address: '+14155550100', channel: 'PHONE' }],
        content: { text: 'Later' },
        schedule: { sendAt: [new Date(Date.now() + 86_400_000).toISOString()] },
        tags: { campaign: 'spring' },
      }),
    );
    const all = await comms.listAll('', 1000);
    for (const message of all) {
      if (message.to[0].address !== '+14155550199')
        await dispatchThroughSandbox(app.store, message.id);
    }
    universe = await eventually(
      () => comms.listAll('', 1000),
      // Every dispatch is done; wait for its last events to reach the read model.
      (messages) =>
        messages.every(
          (m) => m.status === 'SCHEDULED' || m.status === FINAL_STATUS[m.to[0].address],
        ),
    );
  });
  afterAll(async () => {
    await app.stop();
  });

  function matches(m: Message, query: Record<string, string>): boolean {
    const ms = createdMsOf(m.id);
    if (query.operationId && m.related[0].id !== query.operationId) return false;
    if (query.sessionId || query.profile) return false;
    if (query.channel && m.from.channel !== query.channel) return false;
    if (query.status && m.status !== query.status) return false;
    if (query.tags) {
      for (const pair of query.tags.slice(0, -1).split(';')) {
        const [k, v] = pair.split(':');
        if (m.tags[k!] !== v) return false;
      }
    }
    if (query.startDate && !(ms > Date.parse(query.startDate))) return false;
    if (query.endDate && !(ms < Date.parse(query.endDate))) return false;
    return true;
  }

  const expected = (query: Record<string, string>) =>
    universe.filter((m) => matches(m, query)).map((m) => m.id);

  it('lists newest first, and every status, channel and operation is represented', () => {
    const ids = universe.map((m) => m.id);
    expect([...ids].sort().reverse()).toEqual(ids);
    expect(new Set(universe.map((m) => m.status))).toEqual(
      new Set(['QUEUED', 'SENT', 'DELIVERED', 'UNDELIVERED', 'FAILED', 'SCHEDULED']),
    );
    expect(new Set(universe.map((m) => m.from.channel))).toEqual(new Set(['SMS', 'WHATSAPP']));
    expect(universe.length).toBeGreaterThan(100);
    for (const m of universe) expect(Object.keys(m)).not.toContain('content');
  });

  it.each([
    ['operationId', () => ({ operationId: operations[2]! })],
    ['status', () => ({ status: 'DELIVERED' })],
    ['status SCHEDULED', () => ({ status: 'SCHEDULED' })],
    ['channel', () => ({ channel: 'WHATSAPP' })],
    ['channel RCS (none)', () => ({ channel: 'RCS' })],
    ['one tag', () => ({ tags: 'campaign:spring;' })],
    ['all tags must match', () => ({ tags: 'region:EMEA;campaign:spring;' })],
    ['tags of no message', () => ({ tags: 'region:EMEA;region:APAC;' })],
    [
      'sessionId (no sessions here)',
      () => ({ sessionId: 'comms_session_01h9krwprkeee8fzqspvwy6nq8' }),
    ],
    ['profile (no profiles here)', () => ({ profile: 'mem_profile_01h9krwprkeee8fzqspvwy6nq7' })],
    [
      'startDate and endDate (exclusive)',
      () => {
        const ms = createdMsOf(universe[40]!.id);
        return {
          startDate: new Date(ms - 1).toISOString(),
          endDate: new Date(ms + 1).toISOString(),
        };
      },
    ],
    [
      'everything at once',
      () => ({
        operationId: operations[0]!,
        status: 'FAILED',
        channel: 'SMS',
        tags: 'region:EMEA;',
        startDate: '2020-01-01T00:00:00Z',
        endDate: new Date(Date.now() + 60_000).toISOString(),
      }),
    ],
  ])('filters by %s', async (name, makeQuery) => {
    const query = makeQuery();
    const res = await comms.get(
      `/v1/Messages?${new URLSearchParams({ ...query, pageSize: '1000' })}`,
    );
    expect(res.status).toBe(200);
    expect(res.body.messages.map((m: Message) => m.id)).toEqual(expected(query));
    const matchesNothing = /RCS|no message|no sessions|no profiles/.test(name);
    expect(expected(query).length > 0).toBe(!matchesNothing);
  });

  it('pages: 50 by default, next until null, self fetching the same page again', async () => {
    const first = await comms.get('/v1/Messages');
    expect(first.body.messages).toHaveLength(50);
    expect(first.body.pagination).toEqual({ next: expect.any(String), self: expect.any(String) });
    const again = await comms.get(`/v1/Messages?pageToken=${first.body.pagination.self}`);
    expect(again.body).toEqual(first.body);
    const second = await comms.get(`/v1/Messages?pageToken=${first.body.pagination.next}`);
    expect(second.body.messages.map((m: Message) => m.id)).toEqual(
      universe.slice(50, 100).map((m) => m.id),
    );
    const last = await comms.get(`/v1/Messages?pageSize=1000`);
    expect(last.body.pagination.next).toBeNull();
  });

  it('keeps a token’s filters, whether or not the client repeats them, and refuses others', async () => {
    const query = { tags: 'campaign:spring;', pageSize: '5' };
    const first = await comms.get(`/v1/Messages?${new URLSearchParams(query)}`);
    const next = first.body.pagination.next as string;
    const bare = await comms.get(`/v1/Messages?pageSize=5&pageToken=${next}`);
    const repeated = await comms.get(
      `/v1/Messages?${new URLSearchParams({ ...query, pageToken: next })}`,
    );
    expect(bare.body.messages.map((m: Message) => m.id)).toEqual(expected(query).slice(5, 10));
    expect(repeated.body).toEqual(bare.body);
    const changed = await comms.get(`/v1/Messages?status=SENT&pageToken=${next}`);
    expect(changed.status).toBe(400);
    expect(changed.body.errors[0].context).toBe('$.pageToken');
    // A token from the operations list names other filters.
    const operationsToken = (await comms.get('/v1/Messages/Operations?status=COMPLETED')).body
      .pagination.self;
    expect((await comms.get(`/v1/Messages?pageToken=${operationsToken}`)).status).toBe(400);
  });

  it('pages through any filtered list with any page size, returning each match exactly once', async () => {
    const statuses = ['QUEUED', 'SENT', 'SCHEDULED', 'DELIVERED', 'UNDELIVERED', 'FAILED', 'READ'];
    const tagPairs = [
      'region:EMEA;',
      'region:APAC;',
      'campaign:spring;',
      'campaign:autumn;',
      'vip:yes;',
    ];
    for (let run = 0; run < 40; run++) {
      const query: Record<string, string> = {};
      if (random() < 0.3) query.operationId = pick(operations);
      if (random() < 0.3) query.status = pick(statuses);
      if (random() < 0.3) query.channel = pick(['SMS', 'WHATSAPP', 'RCS']);
      if (random() < 0.4) {
        query.tags = tagPairs.filter(() => random() < 0.4).join('') || pick(tagPairs);
      }
      if (random() < 0.3)
        query.startDate = new Date(createdMsOf(pick(universe).id) - 1).toISOString();
      if (random() < 0.3) {
        const end = new Date(createdMsOf(pick(universe).id) + 1).toISOString();
        if (!query.startDate || Date.parse(end) > Date.parse(query.startDate)) query.endDate = end;
      }
      const pageSize = 1 + Math.floor(random() * (random() < 0.6 ? 12 : 200));

      const ids = (await comms.listAll(new URLSearchParams(query).toString(), pageSize)).map(
        (m) => m.id,
      );
      expect({ query, pageSize, ids }).toEqual({ query, pageSize, ids: expected(query) });
    }
  });

  it('neither skips nor repeats while messages arrive between pages', async () => {
    const before = expected({});
    const seen: string[] = [];
    let token: string | null = null;
    do {
      const res: { body: { messages: Message[]; pagination: { next: string | null } } } =
        await comms.get(`/v1/Messages?pageSize=37${token ? `&pageToken=${token}` : ''}`);
      seen.push(...res.body.messages.map((m) => m.id));
      token = res.body.pagination.next;
      await comms.send({
        to: [{ address: '+14155550177', channel: 'PHONE' }],
        content: { text: 'x' },
      });
    } while (token);
    expect(seen).toEqual(before);
  });

  it('lists operations newest first with status and date filters and pages', async () => {
    const all = await comms.get('/v1/Messages/Operations?pageSize=1000');
    expect(all.status).toBe(200);
    const ids = all.body.operations.map((o: Message) => o.id);
    expect(ids.slice(-operations.length)).toEqual([...operations].reverse());
    const scheduled = await comms.get('/v1/Messages/Operations?status=SCHEDULED');
    expect(scheduled.body.operations.map((o: Message) => o.id)).toEqual([operations[5]]);
    const since = new Date(createdMsOf(operations[3]!)).toISOString();
    const after = await comms.get(
      `/v1/Messages/Operations?startDate=${since}&endDate=${new Date(createdMsOf(operations[5]!)).toISOString()}`,
    );
    expect(after.body.operations.map((o: Message) => o.id)).toEqual([operations[4]]);
    const paged: string[] = [];
    let token: string | null = null;
    do {
      const res: { body: { operations: Message[]; pagination: { next: string | null } } } =
        await comms.get(`/v1/Messages/Operations?pageSize=2${token ? `&pageToken=${token}` : ''}`);
      paged.push(...res.body.operations.map((o) => o.id));
      token = res.body.pagination.next;
    } while (token);
    expect(paged.slice(0, ids.length)).toEqual(ids);
  });
});
