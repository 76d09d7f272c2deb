import type { EventStore } from '../eventStore';
import { encodePosition, type Position } from '../position';
import { UnknownPositionError } from '../unknownPositionError';
import { WrongExpectedVersionError } from '../wrongExpectedVersionError';
import { collect, event, rejectionOf, take } from './contractHelpers';

/** What `describeEventStoreContract` hands to its parts: the test's store and stream names. */
export interface ContractScope {
  readonly store: () => EventStore;
  /** A stream of the test's own category. */
  readonly stream: (id?: string | number) => string;
  /** A filter selecting the test's category. */
  readonly cat: () => { streamPrefixes: string[] };
}

/**
 * The contract's part on positions and lost answers: one position per event whatever the read,
 * typed refusal of a start that no event has, and no duplicate from a re-append.
 */
export function describePositionsContract(scope: ContractScope): void {
  const { stream, cat } = scope;
  let store: EventStore;

  beforeEach(() => {
    store = scope.store();
  });

  describe('positions', () => {
    it('gives an event the same position through readStream, readAll and append', async () => {
      const head = await store.headPosition();
      const first = await store.append(stream(1), [event('A'), event('B')], {
        expectedRevision: 'no_stream',
      });
      await store.append(stream(2), [event('C')]);
      const last = await store.append(stream(1), [event('D')], { expectedRevision: 1 });

      const fromStream = await collect(store.readStream(stream(1)));
      const backwards = await collect(store.readStream(stream(1), { direction: 'backwards' }));
      const fromAll = await collect(store.readAll({ fromPosition: head, filter: cat() }));

      const inAll = new Map(fromAll.map((e) => [e.id, encodePosition(e.position)]));
      expect(fromStream).toHaveLength(3);
      for (const e of [...fromStream, ...backwards]) {
        expect(encodePosition(e.position)).toBe(inAll.get(e.id));
      }
      expect(encodePosition(fromStream[1]!.position)).toBe(encodePosition(first.position));
      expect(encodePosition(fromStream[2]!.position)).toBe(encodePosition(last.position));
    });

    it('resumes readAll and subscribe from a position read through readStream', async () => {
      await store.append(stream(1), [event('A', { i: 0 })]);
      await store.append(stream(2), [event('B', { i: 1 })]);
      const [fromStream] = await collect(store.readStream(stream(1)));

      const read = await collect(
        store.readAll({ fromPosition: fromStream!.position, filter: cat() }),
      );
      const subscription = store.subscribe({ fromPosition: fromStream!.position, filter: cat() });
      const live = await take(subscription, 1);

      expect(read.map((e) => (e.data as { i: number }).i)).toEqual([1]);
      expect(live.map((e) => (e.data as { i: number }).i)).toEqual([1]);
    });

    it('refuses to read $all after a position past the end of the log', async () => {
      const { position } = await store.append(stream(), [event()]);
      const beyond = pastTheEnd(position);

      const error = await rejectionOf(collect(store.readAll({ fromPosition: beyond })));

      expect(error).toBeInstanceOf(UnknownPositionError);
      expect(error).toMatchObject({ name: 'UnknownPositionError', position: beyond });
    });

    it('refuses to read $all after a position inside the last event', async () => {
      const { position } = await store.append(stream(), [event()]);
      const inside = { commit: position.commit + 1n, prepare: position.prepare + 1n };

      const error = await rejectionOf(
        collect(store.readAll({ fromPosition: inside, filter: cat() })),
      );

      expect(error).toBeInstanceOf(UnknownPositionError);
    });

    it('ends a subscription from a position that no event has with UnknownPositionError', async () => {
      const { position } = await store.append(stream(), [event()]);
      const beyond = pastTheEnd(position);
      const subscription = store.subscribe({ fromPosition: beyond, filter: cat() });

      // Resolves only if the subscription fails: a retrying or live-waiting one times out.
      const error = await rejectionOf(take(subscription, 1));

      expect(error).toBeInstanceOf(UnknownPositionError);
      expect(error).toMatchObject({ position: beyond });
      await subscription.close();
    });

    it('accepts the head position, taken before the category has any event', async () => {
      const head = await store.headPosition();
      const subscription = store.subscribe({ fromPosition: head, filter: cat() });
      const received = take(subscription, 1);
      await store.append(stream(), [event('After')]);

      expect((await received).map((e) => e.type)).toEqual(['After']);
      expect(await collect(store.readAll({ fromPosition: head, filter: cat() }))).toHaveLength(1);
    });
  });

  describe('re-append after a lost answer', () => {
    // The first append was written but its answer never reached the caller (timeout, dropped
    // connection), so the caller sends the very same append again: it must never duplicate.
    it('returns the original result for a no_stream append, after the stream moved on', async () => {
      const events = [event('Created'), event('Named')];
      const lost = await store.append(stream(), events, { expectedRevision: 'no_stream' });
      await store.append(stream(), [event('Later')], { expectedRevision: 1 });

      const retry = await store.append(stream(), events, { expectedRevision: 'no_stream' });

      expect(retry).toEqual(lost);
      const read = await collect(store.readStream(stream()));
      expect(read.map((e) => e.type)).toEqual(['Created', 'Named', 'Later']);
    });

    it('returns the original result for an append at a revision, after the stream moved on', async () => {
      const head = await store.headPosition();
      await store.append(stream(), [event()], { expectedRevision: 'no_stream' });
      const events = [event('X'), event('Y')];
      const lost = await store.append(stream(), events, { expectedRevision: 0 });
      await store.append(stream(), [event('Z')], { expectedRevision: 2 });
      await store.append(stream(2), [event()]);

      const retry = await store.append(stream(), events, { expectedRevision: 0 });

      expect(retry).toEqual(lost);
      const read = await collect(store.readStream(stream()));
      expect(read).toHaveLength(4);
      expect(new Set(read.map((e) => e.id)).size).toBe(4);
      const all = await collect(store.readAll({ fromPosition: head, filter: cat() }));
      expect(all.filter((e) => e.id === events[0]!.id)).toHaveLength(1);
    });

    it('refuses, without writing, a retry whose ids only partly match what was written', async () => {
      await store.append(stream(), [event()], { expectedRevision: 'no_stream' });
      const written = [event('X'), event('Y')];
      await store.append(stream(), written, { expectedRevision: 0 });

      const error = await rejectionOf(
        store.append(stream(), [written[0]!, event('Other')], { expectedRevision: 0 }),
      );

      expect(error).toBeInstanceOf(WrongExpectedVersionError);
      expect(await collect(store.readStream(stream()))).toHaveLength(3);
    });
  });
}

/** Far past any log a test writes, yet a well-formed position. */
function pastTheEnd(position: Position): Position {
  return { commit: position.commit + 10n ** 12n, prepare: position.prepare + 10n ** 12n };
}
