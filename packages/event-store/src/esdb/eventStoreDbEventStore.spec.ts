import { collect, describeEventStoreContract, event, take } from '../testing/eventStoreContract';
import { FakeEsdbClient } from '../testing/fakeEsdbClient';
import { EventStoreDbEventStore } from './eventStoreDbEventStore';

// The mapping logic (revisions, errors, inclusive positions, system events, paging,
// resubscription) runs here against an in-memory double; the same suite runs against a
// real server in eventStoreDbEventStore.int.spec.ts when EVENTSTORE_TEST_URL is set.
describeEventStoreContract('EventStoreDB adapter over an in-memory client double', () => {
  const fake = new FakeEsdbClient({ noisy: true });
  fake.writeSystemEvent();
  return new EventStoreDbEventStore({ client: fake.asClient(), readPageSize: 3 });
});

describe('EventStoreDbEventStore', () => {
  let fake: FakeEsdbClient;
  let store: EventStoreDbEventStore;

  beforeEach(() => {
    fake = new FakeEsdbClient();
    store = new EventStoreDbEventStore({
      client: fake.asClient(),
      readPageSize: 2,
      resubscribe: { initialDelayMs: 1, maxDelayMs: 5 },
    });
  });

  afterEach(async () => {
    await store.close();
  });

  it('resubscribes from the last delivered position after a drop, without duplicates', async () => {
    fake.dropSchedule.push(2, 1);
    for (let i = 0; i < 5; i++) await store.append(`conversation-${i}`, [event('N', { i })]);

    const subscription = store.subscribe({ filter: { streamPrefixes: ['conversation-'] } });
    const received = take(subscription, 6);
    await store.append('conversation-9', [event('N', { i: 5 })]);

    expect((await received).map((e) => (e.data as { i: number }).i)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(fake.subscribeCalls.length).toBeGreaterThanOrEqual(3);
    expect(fake.subscribeCalls[1]!.fromPosition).toEqual(fake.log[1]!.position);
  });

  it('asks the server to filter by stream prefix, or else to exclude system events', async () => {
    const byPrefix = store.subscribe({ filter: { streamPrefixes: ['conversation-'] } });
    const everything = store.subscribe();
    const a = take(byPrefix, 1);
    const b = take(everything, 1);
    await store.append('conversation-1', [event()]);
    await Promise.all([a, b]);

    expect(fake.subscribeCalls[0]!.filter).toMatchObject({
      filterOn: 'streamName',
      prefixes: ['conversation-'],
    });
    expect(fake.subscribeCalls[1]!.filter).toMatchObject({ filterOn: 'eventType' });
  });

  it('reports the last application event as head, looking past server events', async () => {
    expect(await store.headPosition()).toBe('start');
    const result = await store.append('conversation-1', [event()]);
    fake.writeSystemEvent();
    fake.writeSystemEvent();

    expect(await store.headPosition()).toEqual(result.position);
  });

  it('never yields system events from readAll', async () => {
    fake.writeSystemEvent();
    await store.append('conversation-1', [event()]);
    fake.writeSystemEvent();

    const all = await collect(store.readAll());
    expect(all.map((e) => e.streamId)).toEqual(['conversation-1']);
  });

  it("sets a stream's $maxAge through its metastream, which readers never see", async () => {
    await store.append('outbound-1', [event()]);
    await store.setStreamMaxAge('outbound-1', 604_800);

    expect(fake.streamMetadata('outbound-1')).toEqual({ $maxAge: 604_800 });
    expect((await collect(store.readAll())).map((e) => e.streamId)).toEqual(['outbound-1']);
    await expect(store.setStreamMaxAge('outbound-1', 0)).rejects.toThrow(RangeError);
  });

  it('rejects an empty append', async () => {
    await expect(store.append('conversation-1', [])).rejects.toThrow(RangeError);
  });
});
