import { randomUUID } from 'node:crypto';
import { AccessDeniedError, UnavailableError } from '@eventstore/db-client';
import {
  collect,
  describeEventStoreContract,
  event,
  rejectionOf,
  take,
} from '../testing/eventStoreContract';
import { FakeEsdbClient } from '../testing/fakeEsdbClient';
import { AppendTooLargeError } from '../appendTooLargeError';
import { SubscriptionFailedError } from '../subscriptionFailedError';
import { UnknownPositionError } from '../unknownPositionError';
import { WrongExpectedVersionError } from '../wrongExpectedVersionError';
import { EventStoreDbEventStore } from './eventStoreDbEventStore';
import { PositionUnavailableError } from './positionUnavailableError';

// These run the adapter's mapping logic (revisions, errors, inclusive positions, system events,
// paging, resubscription) over FakeEsdbClient, an in-memory stand-in written from the server's
// and the client's code: they prove the adapter against that reading, not against a server.
// The same contract runs against a real server in eventStoreDbEventStore.int.spec.ts when
// EVENTSTORE_TEST_URL is set.
describeEventStoreContract('EventStoreDB adapter over the in-memory stand-in (no server)', () => {
  const fake = new FakeEsdbClient({ noisy: true });
  fake.writeSystemEvent();
  return new EventStoreDbEventStore({ client: fake.asClient(), readPageSize: 3 });
});

describe('EventStoreDbEventStore over the in-memory stand-in (no server)', () => {
  let fake: FakeEsdbClient;
  let store: EventStoreDbEventStore;
  const retries: number[] = [];

  beforeEach(() => {
    fake = new FakeEsdbClient();
    retries.length = 0;
    store = new EventStoreDbEventStore({
      client: fake.asClient(),
      readPageSize: 2,
      resubscribe: {
        initialDelayMs: 1,
        maxDelayMs: 5,
        maxAttempts: 3,
        onRetry: (_error, attempt) => retries.push(attempt),
      },
    });
  });

  afterEach(async () => {
    await store.close();
  });

  describe('subscriptions', () => {
    it('resubscribes from the last delivered position after a drop, without duplicates', async () => {
      fake.dropSchedule.push(2, 1);
      for (let i = 0; i < 5; i++) await store.append(`conversation-${i}`, [event('N', { i })]);

      const subscription = store.subscribe({ filter: { streamPrefixes: ['conversation-'] } });
      const received = take(subscription, 6);
      await store.append('conversation-9', [event('N', { i: 5 })]);

      expect((await received).map((e) => (e.data as { i: number }).i)).toEqual([0, 1, 2, 3, 4, 5]);
      expect(fake.subscribeCalls.length).toBeGreaterThanOrEqual(3);
      const conversations = fake.log.filter((e) => e.streamId.startsWith('conversation-'));
      expect(fake.subscribeCalls[1]!.fromPosition).toEqual(conversations[1]!.position);
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

    it('fails at once, without retrying, when the server refuses the start position', async () => {
      const { position } = await store.append('conversation-1', [event()]);
      await store.append('conversation-2', [event()]);
      const inside = { commit: position.commit + 1n, prepare: position.prepare + 1n };

      const error = await rejectionOf(take(store.subscribe({ fromPosition: inside }), 1));

      expect(error).toBeInstanceOf(UnknownPositionError);
      expect(error).toMatchObject({ position: inside });
      expect(fake.subscribeCalls).toHaveLength(1);
      expect(retries).toEqual([]);
    });

    it('refuses a start past the end of the log before subscribing', async () => {
      const { position } = await store.append('conversation-1', [event()]);
      const beyond = { commit: position.commit + 1000n, prepare: position.prepare + 1000n };

      const error = await rejectionOf(take(store.subscribe({ fromPosition: beyond }), 1));

      expect(error).toBeInstanceOf(UnknownPositionError);
      expect(fake.subscribeCalls).toHaveLength(0);
    });

    it('gives up at once on a refusal no retry can fix, with the cause', async () => {
      fake.subscribeFailures.push(new AccessDeniedError());

      const error = await rejectionOf(take(store.subscribe(), 1));

      expect(error).toBeInstanceOf(SubscriptionFailedError);
      expect(error).toMatchObject({ attempts: 1 });
      expect((error as Error).cause).toBeInstanceOf(AccessDeniedError);
      expect(fake.subscribeCalls).toHaveLength(1);
    });

    it('retries a dropped connection at most maxAttempts times, telling onRetry each time', async () => {
      fake.subscribeFailures.push(new UnavailableError(), new UnavailableError());
      fake.subscribeFailures.push(new UnavailableError());

      const error = await rejectionOf(take(store.subscribe(), 1));

      expect(error).toBeInstanceOf(SubscriptionFailedError);
      expect(error).toMatchObject({ attempts: 3 });
      expect((error as Error).cause).toBeInstanceOf(UnavailableError);
      expect(retries).toEqual([1, 2]);
      expect(fake.subscribeCalls).toHaveLength(3);
    });

    it('recovers when a retry succeeds, and counts failures in a row only', async () => {
      fake.subscribeFailures.push(new UnavailableError(), new UnavailableError());
      const subscription = store.subscribe({ filter: { streamPrefixes: ['conversation-'] } });
      const iterator = subscription[Symbol.asyncIterator]();
      await store.append('conversation-1', [event('N', { i: 1 })]);
      const first = await iterator.next();
      fake.restart();
      await store.append('conversation-2', [event('N', { i: 2 })]);
      const second = await iterator.next();

      expect([first.value, second.value].map((e) => (e.data as { i: number }).i)).toEqual([1, 2]);
      expect(retries).toEqual([1, 2, 1]);
      await subscription.close();
    });
  });

  describe('reads', () => {
    it('reports the last application event as head, looking past many server events', async () => {
      const result = await store.append('conversation-1', [event()]);
      for (let i = 0; i < 40; i++) fake.writeSystemEvent();

      expect(await store.headPosition()).toEqual(result.position);
    });

    it('has the server filter readAll by category, or leave out system events', async () => {
      await store.append('conversation-1', [event()]);
      await store.append('user-1', [event()]);

      const conversations = await collect(
        store.readAll({ filter: { streamPrefixes: ['conversation-'] } }),
      );
      await collect(store.readAll());

      expect(conversations.map((e) => e.streamId)).toEqual(['conversation-1']);
      expect(fake.filteredReads.map((read) => read.filter)).toEqual([
        expect.objectContaining({ filterOn: 'streamName', prefixes: ['conversation-'] }),
        expect.objectContaining({ filterOn: 'eventType', regex: '^[^$].*' }),
      ]);
    });

    it('looks up the end of the log only for a start past what it has seen', async () => {
      const { position } = await store.append('conversation-1', [event()]);
      await collect(store.readAll({ fromPosition: position }));
      expect(fake.allReads).toEqual([]);

      const other = new EventStoreDbEventStore({ client: fake.asClient() });
      await collect(other.readAll({ fromPosition: position }));
      await collect(other.readAll({ fromPosition: position }));
      expect(fake.allReads).toEqual([{ direction: 'backwards', fromPosition: 'end' }]);
      await other.close();
    });

    it('never yields system events from readAll', async () => {
      fake.writeSystemEvent();
      await store.append('conversation-1', [event()]);
      fake.writeSystemEvent();

      const all = await collect(store.readAll());
      expect(all.map((e) => e.streamId)).toEqual(['conversation-1']);
    });

    it.each(['max', 'unset'] as const)(
      'refuses stream reads whose events come without a $all position (%s, older servers)',
      async (streamReadPositions) => {
        const old = new FakeEsdbClient({ streamReadPositions });
        const oldStore = new EventStoreDbEventStore({ client: old.asClient() });
        await oldStore.append('conversation-1', [event()]);

        const error = await rejectionOf(collect(oldStore.readStream('conversation-1')));

        expect(error).toBeInstanceOf(PositionUnavailableError);
        expect(error).toMatchObject({ stream: 'conversation-1', revision: 0 });
        await oldStore.close();
      },
    );
  });

  describe('appends', () => {
    it('turns a conflict returned as a result (throwOnAppendFailure=false) into the error', async () => {
      const lenient = new FakeEsdbClient({ throwOnAppendFailure: false });
      const lenientStore = new EventStoreDbEventStore({ client: lenient.asClient() });
      await lenientStore.append('conversation-1', [event(), event(), event()]);

      const error = await rejectionOf(
        lenientStore.append('conversation-1', [event()], { expectedRevision: 0 }),
      );

      expect(error).toBeInstanceOf(WrongExpectedVersionError);
      expect(error).toMatchObject({ expected: 0, actual: 2 });
      expect(await collect(lenientStore.readStream('conversation-1'))).toHaveLength(3);
      await lenientStore.close();
    });

    it('counts an append as the server does: data, metadata and twice the type', async () => {
      const type = 'T'.repeat(2048);
      const data = { text: 'x'.repeat(1_048_576 - 4096) };

      const error = await rejectionOf(store.append('conversation-1', [event(type, data)]));

      expect(error).toBeInstanceOf(AppendTooLargeError);
      await store.append('conversation-1', [event('Short', data)]);
    });

    it('duplicates a retried `any` append once a restart emptied the id cache, as the server does', async () => {
      const events = [event()];
      await store.append('conversation-1', [event()]);
      const original = await store.append('conversation-1', events);
      expect(await store.append('conversation-1', events)).toEqual(original);

      fake.restart();
      await store.append('conversation-1', events);

      const read = await collect(store.readStream('conversation-1'));
      expect(read.filter((e) => e.id === events[0]!.id)).toHaveLength(2);
    });

    it('forgets `any` ids beyond its cache size, but never those retried at a revision', async () => {
      const small = new FakeEsdbClient({ idCacheBytes: 500 });
      const smallStore = new EventStoreDbEventStore({ client: small.asClient() });
      const viaAny = [event()];
      const viaRevision = [event()];
      await smallStore.append('conversation-1', [event()], { expectedRevision: 'no_stream' });
      await smallStore.append('conversation-1', viaAny);
      const original = await smallStore.append('conversation-2', viaRevision, {
        expectedRevision: 'no_stream',
      });
      for (let i = 0; i < 20; i++) await smallStore.append(`other-${i}`, [event()]);
      small.restart();

      const retried = await smallStore.append('conversation-2', viaRevision, {
        expectedRevision: 'no_stream',
      });
      await smallStore.append('conversation-1', viaAny);

      expect(retried).toEqual(original);
      expect(await collect(smallStore.readStream('conversation-2'))).toHaveLength(1);
      expect(await collect(smallStore.readStream('conversation-1'))).toHaveLength(3);
      await smallStore.close();
    });

    it("sets a stream's $maxAge through its metastream, which readers never see", async () => {
      await store.append('outbound-1', [event()]);
      await store.setStreamMaxAge('outbound-1', 604_800);

      expect(fake.streamMetadata('outbound-1')).toEqual({ $maxAge: 604_800 });
      expect((await collect(store.readAll())).map((e) => e.streamId)).toEqual(['outbound-1']);
      await expect(store.setStreamMaxAge('outbound-1', 0)).rejects.toThrow(RangeError);
    });

    it("keeps the stream's other metadata (access rules) when setting $maxAge", async () => {
      const acl = { $r: ['$admins'], $w: ['$admins'] };
      await fake.appendToStream('$$outbound-2', [
        {
          id: randomUUID(),
          type: '$metadata',
          contentType: 'application/json',
          data: { $acl: acl, $tb: 3 },
        } as never,
      ]);

      await store.setStreamMaxAge('outbound-2', 60);
      await store.setStreamMaxAge('outbound-2', 120);

      expect(fake.streamMetadata('outbound-2')).toEqual({ $acl: acl, $tb: 3, $maxAge: 120 });
    });

    it('rejects an empty append', async () => {
      await expect(store.append('conversation-1', [])).rejects.toThrow(RangeError);
    });
  });
});
