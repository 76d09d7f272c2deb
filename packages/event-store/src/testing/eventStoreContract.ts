import { randomUUID } from 'node:crypto';
import type { EventData, EventStore } from '../eventStore';
import { comparePositions, decodePosition, encodePosition } from '../position';
import { AppendTooLargeError, MAX_APPEND_BYTES } from '../appendTooLargeError';
import { WrongExpectedVersionError } from '../wrongExpectedVersionError';
import { collect, event, rejectionOf, take } from './contractHelpers';
import { describePositionsContract } from './positionsContract';

export { collect, event, rejectionOf, take, waitFor } from './contractHelpers';

/**
 * The behaviour every EventStore adapter must show. `factory` returns a store to test;
 * stores may share state between tests (EventStoreDB is one server), so every test uses its
 * own stream names and reads `$all` only after a position it took itself.
 */
export function describeEventStoreContract(
  name: string,
  factory: () => EventStore | Promise<EventStore>,
): void {
  describe(`EventStore contract: ${name}`, () => {
    let store: EventStore;
    // A category unique to the test (no '-' inside, so it is one category).
    let category: string;
    const stream = (id: string | number = 1): string => `${category}-${id}`;

    beforeEach(async () => {
      store = await factory();
      category = `c${randomUUID().replace(/-/g, '').slice(0, 12)}`;
    });

    afterEach(async () => {
      await store.close();
    });

    describe('append and expected revision', () => {
      it('creates a stream with no_stream and returns its last revision and position', async () => {
        const events = [event('Started', { n: 1 }), event('Added', { n: 2 })];
        const result = await store.append(stream(), events, { expectedRevision: 'no_stream' });

        expect(result.nextExpectedRevision).toBe(1);
        const read = await collect(store.readStream(stream()));
        expect(read.map((e) => [e.id, e.type, e.revision, e.streamId])).toEqual([
          [events[0]!.id, 'Started', 0, stream()],
          [events[1]!.id, 'Added', 1, stream()],
        ]);
        expect(read[0]!.data).toEqual({ n: 1 });
        expect(read[0]!.metadata).toEqual(events[0]!.metadata);
        expect(read[0]!.created).toBeInstanceOf(Date);
        expect(comparePositions(read[0]!.position, read[1]!.position)).toBe(-1);
        expect(comparePositions(read[1]!.position, result.position)).toBe(0);
      });

      it('rejects no_stream on an existing stream, carrying the actual revision', async () => {
        await store.append(stream(), [event(), event()], { expectedRevision: 'no_stream' });

        const error = await rejectionOf(
          store.append(stream(), [event()], { expectedRevision: 'no_stream' }),
        );

        expect(error).toBeInstanceOf(WrongExpectedVersionError);
        expect(error).toMatchObject({ stream: stream(), expected: 'no_stream', actual: 1 });
      });

      it('appends at the exact expected revision', async () => {
        const first = await store.append(stream(), [event()], { expectedRevision: 'no_stream' });
        const second = await store.append(stream(), [event(), event()], {
          expectedRevision: first.nextExpectedRevision,
        });

        expect(second.nextExpectedRevision).toBe(2);
        expect(comparePositions(first.position, second.position)).toBe(-1);
      });

      it('rejects a stale expected revision with the actual one', async () => {
        await store.append(stream(), [event(), event(), event()], {
          expectedRevision: 'no_stream',
        });

        const error = await rejectionOf(store.append(stream(), [event()], { expectedRevision: 0 }));

        expect(error).toBeInstanceOf(WrongExpectedVersionError);
        expect(error).toMatchObject({ stream: stream(), expected: 0, actual: 2 });
        expect((error as Error).name).toBe('WrongExpectedVersionError');
      });

      it('rejects an expected revision ahead of the stream', async () => {
        await store.append(stream(), [event()], { expectedRevision: 'no_stream' });

        const error = await rejectionOf(store.append(stream(), [event()], { expectedRevision: 5 }));

        expect(error).toMatchObject({ expected: 5, actual: 0 });
      });

      it('rejects an expected revision on a missing stream with actual no_stream', async () => {
        const error = await rejectionOf(store.append(stream(), [event()], { expectedRevision: 0 }));

        expect(error).toBeInstanceOf(WrongExpectedVersionError);
        expect(error).toMatchObject({ expected: 0, actual: 'no_stream' });
      });

      it('accepts stream_exists on an existing stream', async () => {
        await store.append(stream(), [event()], { expectedRevision: 'no_stream' });

        const result = await store.append(stream(), [event()], {
          expectedRevision: 'stream_exists',
        });

        expect(result.nextExpectedRevision).toBe(1);
      });

      it('rejects stream_exists on a missing stream with actual no_stream', async () => {
        const error = await rejectionOf(
          store.append(stream(), [event()], { expectedRevision: 'stream_exists' }),
        );

        expect(error).toBeInstanceOf(WrongExpectedVersionError);
        expect(error).toMatchObject({ expected: 'stream_exists', actual: 'no_stream' });
        expect(await collect(store.readStream(stream()))).toEqual([]);
      });

      it('appends with any whether or not the stream exists (the default)', async () => {
        const first = await store.append(stream(), [event()], { expectedRevision: 'any' });
        const second = await store.append(stream(), [event()]);

        expect(first.nextExpectedRevision).toBe(0);
        expect(second.nextExpectedRevision).toBe(1);
      });

      it('writes none of a multi-event append that conflicts', async () => {
        await store.append(stream(), [event()], { expectedRevision: 'no_stream' });
        const head = await store.headPosition();

        const error = await rejectionOf(
          store.append(stream(), [event(), event(), event()], { expectedRevision: 'no_stream' }),
        );

        expect(error).toBeInstanceOf(WrongExpectedVersionError);
        expect(await collect(store.readStream(stream()))).toHaveLength(1);
        expect(await collect(store.readAll({ fromPosition: head, filter: cat() }))).toEqual([]);
      });

      it('keeps the events of one append contiguous in the stream and in $all', async () => {
        const head = await store.headPosition();
        const events = [event(), event(), event()];
        await store.append(stream(), events, { expectedRevision: 'no_stream' });

        const all = await collect(store.readAll({ fromPosition: head, filter: cat() }));
        expect(all.map((e) => e.id)).toEqual(events.map((e) => e.id));
        expect(all.map((e) => e.revision)).toEqual([0, 1, 2]);
      });

      // EventStoreDB's default MaxAppendSize; every adapter refuses the same appends.
      it('refuses an append over 1 MiB whole, and accepts one just under it', async () => {
        const head = await store.headPosition();
        const half = (): EventData =>
          event('Happened', { text: 'x'.repeat(Math.ceil(MAX_APPEND_BYTES / 2) + 16) });

        const error = await rejectionOf(store.append(stream(), [half(), half()]));

        expect(error).toBeInstanceOf(AppendTooLargeError);
        expect(await collect(store.readAll({ fromPosition: head, filter: cat() }))).toEqual([]);
        const under = event('Happened', { text: 'x'.repeat(MAX_APPEND_BYTES - 4096) });
        await store.append(stream(), [under], { expectedRevision: 'no_stream' });
        expect(await collect(store.readStream(stream()))).toHaveLength(1);
      });
    });

    describe('idempotent re-append', () => {
      it('returns the original result for the same ids at the same revision', async () => {
        await store.append(stream(), [event()], { expectedRevision: 'no_stream' });
        const events = [event(), event()];
        const original = await store.append(stream(), events, { expectedRevision: 0 });

        const retry = await store.append(stream(), events, { expectedRevision: 0 });

        expect(retry).toEqual(original);
        expect(await collect(store.readStream(stream()))).toHaveLength(3);
      });

      it('returns the original result for the same ids created with no_stream', async () => {
        const events = [event(), event()];
        const original = await store.append(stream(), events, { expectedRevision: 'no_stream' });

        const retry = await store.append(stream(), events, { expectedRevision: 'no_stream' });

        expect(retry).toEqual(original);
        expect(await collect(store.readStream(stream()))).toHaveLength(2);
      });

      it('returns the original result for ids already in the stream with any', async () => {
        const events = [event()];
        const original = await store.append(stream(), events, { expectedRevision: 'any' });
        await store.append(stream(2), [event()]);

        const retry = await store.append(stream(), events, { expectedRevision: 'any' });

        expect(retry).toEqual(original);
        expect(await collect(store.readStream(stream()))).toHaveLength(1);
      });

      it('still rejects different ids at a stale revision', async () => {
        await store.append(stream(), [event()], { expectedRevision: 'no_stream' });
        await store.append(stream(), [event()], { expectedRevision: 0 });

        const error = await rejectionOf(store.append(stream(), [event()], { expectedRevision: 0 }));

        expect(error).toMatchObject({ expected: 0, actual: 1 });
      });
    });

    describe('readStream', () => {
      beforeEach(async () => {
        const events = Array.from({ length: 10 }, (_, i) => event('Counted', { i }));
        await store.append(stream(), events, { expectedRevision: 'no_stream' });
      });

      it('reads forwards from the first event', async () => {
        const read = await collect(store.readStream(stream()));
        expect(read.map((e) => e.revision)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
        expect(read.map((e) => (e.data as { i: number }).i)).toEqual([
          0, 1, 2, 3, 4, 5, 6, 7, 8, 9,
        ]);
      });

      it('reads backwards from the last event', async () => {
        const read = await collect(store.readStream(stream(), { direction: 'backwards' }));
        expect(read.map((e) => e.revision)).toEqual([9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
      });

      it('reads from a revision, inclusive, in either direction', async () => {
        const forwards = await collect(store.readStream(stream(), { fromRevision: 7 }));
        const backwards = await collect(
          store.readStream(stream(), { fromRevision: 2, direction: 'backwards' }),
        );
        expect(forwards.map((e) => e.revision)).toEqual([7, 8, 9]);
        expect(backwards.map((e) => e.revision)).toEqual([2, 1, 0]);
      });

      it('stops at maxCount', async () => {
        const forwards = await collect(
          store.readStream(stream(), { fromRevision: 3, maxCount: 4 }),
        );
        const last = await collect(
          store.readStream(stream(), { direction: 'backwards', maxCount: 1 }),
        );
        expect(forwards.map((e) => e.revision)).toEqual([3, 4, 5, 6]);
        expect(last.map((e) => e.revision)).toEqual([9]);
      });

      it('yields nothing for a missing stream or past the end', async () => {
        expect(await collect(store.readStream(stream('missing')))).toEqual([]);
        expect(await collect(store.readStream(stream(), { fromRevision: 10 }))).toEqual([]);
      });
    });

    describe('readAll', () => {
      it('reads $all strictly after a position, in append order', async () => {
        await store.append(stream(1), [event('A')]);
        const after = (await store.append(stream(2), [event('B')])).position;
        await store.append(stream(3), [event('C')]);
        await store.append(stream(1), [event('D')]);

        const read = await collect(store.readAll({ fromPosition: after, filter: cat() }));

        expect(read.map((e) => [e.type, e.streamId])).toEqual([
          ['C', stream(3)],
          ['D', stream(1)],
        ]);
        expect(comparePositions(read[0]!.position, read[1]!.position)).toBe(-1);
      });

      it('filters by stream prefix (category) and by event type', async () => {
        const head = await store.headPosition();
        const other = `o${category}`;
        await store.append(stream(1), [event('MessageAdded'), event('Starred')]);
        await store.append(`${other}-1`, [event('MessageAdded')]);
        await store.append(stream(2), [event('MessageAdded')]);

        const byCategory = await collect(store.readAll({ fromPosition: head, filter: cat() }));
        const byType = await collect(
          store.readAll({
            fromPosition: head,
            filter: { streamPrefixes: [`${category}-`, `${other}-`], eventTypes: ['MessageAdded'] },
          }),
        );
        const both = await collect(
          store.readAll({
            fromPosition: head,
            filter: { streamPrefixes: [`${category}-`], eventTypes: ['Starred'] },
          }),
        );

        expect(byCategory.map((e) => e.streamId)).toEqual([stream(1), stream(1), stream(2)]);
        expect(byType.map((e) => e.streamId)).toEqual([stream(1), `${other}-1`, stream(2)]);
        expect(both.map((e) => e.type)).toEqual(['Starred']);
      });

      it('stops at maxCount and resumes from the last position without gaps', async () => {
        const head = await store.headPosition();
        for (let i = 0; i < 5; i++) await store.append(stream(i % 2), [event('N', { i })]);

        const first = await collect(
          store.readAll({ fromPosition: head, filter: cat(), maxCount: 2 }),
        );
        const rest = await collect(
          store.readAll({ fromPosition: first[1]!.position, filter: cat() }),
        );

        expect([...first, ...rest].map((e) => (e.data as { i: number }).i)).toEqual([
          0, 1, 2, 3, 4,
        ]);
      });

      it('reports the head position of the log', async () => {
        const result = await store.append(stream(), [event()]);
        const head = await store.headPosition();
        expect(comparePositions(head, result.position)).toBeGreaterThanOrEqual(0);
        expect(comparePositions(decodePosition(encodePosition(head)), head)).toBe(0);
      });
    });

    describe('subscribe', () => {
      it('catches up, then delivers live events, then ends on close', async () => {
        const head = await store.headPosition();
        await store.append(stream(1), [event('Old', { i: 0 }), event('Old', { i: 1 })]);
        const subscription = store.subscribe({ fromPosition: head, filter: cat() });
        const received = take(subscription, 4);

        await store.append(`o${category}-1`, [event('Elsewhere')]);
        await store.append(stream(2), [event('New', { i: 2 })]);
        await store.append(stream(1), [event('New', { i: 3 })]);

        const events = await received;
        expect(events.map((e) => (e.data as { i: number }).i)).toEqual([0, 1, 2, 3]);
        await subscription.close();
      });

      it('filters live events by type', async () => {
        const head = await store.headPosition();
        const subscription = store.subscribe({
          fromPosition: head,
          filter: { streamPrefixes: [`${category}-`], eventTypes: ['Wanted'] },
        });
        const received = take(subscription, 2);
        await store.append(stream(), [event('Unwanted'), event('Wanted', { i: 1 })]);
        await store.append(stream(), [event('Unwanted'), event('Wanted', { i: 2 })]);

        expect((await received).map((e) => (e.data as { i: number }).i)).toEqual([1, 2]);
        await subscription.close();
      });

      it('resumes from a saved position with no gaps and no duplicates', async () => {
        const head = await store.headPosition();
        for (let i = 0; i < 6; i++) await store.append(stream(i % 3), [event('N', { i })]);

        const first = store.subscribe({ fromPosition: head, filter: cat() });
        const firstPart = await take(first, 3);
        await first.close();
        const saved = encodePosition(firstPart[2]!.position);

        const second = store.subscribe({ fromPosition: decodePosition(saved), filter: cat() });
        const secondPart = take(second, 5);
        for (let i = 6; i < 8; i++) await store.append(stream(i % 3), [event('N', { i })]);

        const all = [...firstPart, ...(await secondPart)];
        expect(all.map((e) => (e.data as { i: number }).i)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
        await second.close();
      });

      it('ends a waiting iteration cleanly when closed', async () => {
        const subscription = store.subscribe({
          fromPosition: await store.headPosition(),
          filter: cat(),
        });
        const iterator = subscription[Symbol.asyncIterator]();
        await store.append(stream(), [event()]);
        const first = await iterator.next();
        expect(first.done).toBe(false);

        const waiting = iterator.next();
        await subscription.close();

        expect(await waiting).toEqual({ done: true, value: undefined });
      });
    });

    describePositionsContract({ store: () => store, stream, cat });

    describe('concurrency', () => {
      it('lets exactly one of many concurrent writers win each revision', async () => {
        await store.append(stream(), [event()], { expectedRevision: 'no_stream' });
        const writers = 20;

        const outcomes = await Promise.allSettled(
          Array.from({ length: writers }, () =>
            store.append(stream(), [event(), event()], { expectedRevision: 0 }),
          ),
        );

        const won = outcomes.filter((o) => o.status === 'fulfilled');
        const lost = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason] : []));
        expect(won).toHaveLength(1);
        expect(lost).toHaveLength(writers - 1);
        for (const error of lost) {
          expect(error).toBeInstanceOf(WrongExpectedVersionError);
          expect(error).toMatchObject({ expected: 0, actual: 2 });
        }
        expect(await collect(store.readStream(stream()))).toHaveLength(3);
      });

      it('serializes writers that reload and retry on conflict', async () => {
        const writers = 8;
        const appendsEach = 5;
        let conflicts = 0;

        await Promise.all(
          Array.from({ length: writers }, async (_, w) => {
            for (let i = 0; i < appendsEach; i++) {
              for (;;) {
                const last = await collect(
                  store.readStream(stream(), { direction: 'backwards', maxCount: 1 }),
                );
                const expected = last.length === 0 ? 'no_stream' : last[0]!.revision;
                try {
                  await store.append(stream(), [event('W', { w, i })], {
                    expectedRevision: expected,
                  });
                  break;
                } catch (error) {
                  if (!(error instanceof WrongExpectedVersionError)) throw error;
                  conflicts += 1;
                }
              }
            }
          }),
        );

        const read = await collect(store.readStream(stream()));
        expect(read.map((e) => e.revision)).toEqual(
          Array.from({ length: writers * appendsEach }, (_, i) => i),
        );
        expect(new Set(read.map((e) => e.id)).size).toBe(writers * appendsEach);
        // Writers that read the same head raced, and the losers were told so.
        expect(conflicts).toBeGreaterThan(0);
      });
    });

    function cat(): { streamPrefixes: string[] } {
      return { streamPrefixes: [`${category}-`] };
    }
  });
}
