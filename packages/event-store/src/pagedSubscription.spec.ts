import type { RecordedEvent } from './eventStore';
import { PagedSubscription, type SubscriptionPage } from './pagedSubscription';
import { collect, rejectionOf, take, waitFor } from './testing/contractHelpers';

/** Long enough that only a wake-up, never the poll, can move a subscription within a test. */
const HOUR_MS = 3_600_000;

function recorded(sequence: number): RecordedEvent {
  const position = { commit: BigInt(sequence), prepare: BigInt(sequence) };
  return {
    id: `event-${sequence}`,
    type: 'Happened',
    streamId: 'doc-1',
    revision: sequence - 1,
    position,
    data: {},
    metadata: {},
    created: new Date(0),
  };
}

const sequences = (events: readonly RecordedEvent[]): number[] =>
  events.map((e) => Number(e.position.commit));

/** An in-memory log read two events a page; `reads` records where each read started. */
class Log {
  readonly events: RecordedEvent[] = [];
  readonly reads: bigint[] = [];
  failures: unknown[] = [];
  /** Runs inside the next read, before it answers: a commit racing the read. */
  duringNextRead: (() => void) | undefined;

  append(count: number): void {
    for (let i = 0; i < count; i += 1) this.events.push(recorded(this.events.length + 1));
  }

  readonly readPage = async (after: bigint): Promise<SubscriptionPage> => {
    this.reads.push(after);
    const failure = this.failures.shift();
    if (failure !== undefined) throw failure;
    const page = this.events.filter((e) => e.position.commit > after).slice(0, 2);
    // The page is taken before the racing commit, as a query's snapshot would be.
    const racing = this.duringNextRead;
    this.duringNextRead = undefined;
    await Promise.resolve();
    racing?.();
    const next = page.length > 0 ? page[page.length - 1]!.position.commit : after;
    return { events: page, next };
  };
}

class Transient extends Error {}

function subscribe(
  log: Log,
  options: { start?: () => bigint; pollIntervalMs?: number; onClose?: () => void } = {},
): PagedSubscription {
  return new PagedSubscription(
    log.readPage,
    options.start ?? (() => 0n),
    options.pollIntervalMs ?? HOUR_MS,
    (error) => error instanceof Transient,
    options.onClose ?? (() => undefined),
  );
}

describe('PagedSubscription', () => {
  it('catches up page by page from the start, then delivers what a wake-up announces', async () => {
    const log = new Log();
    log.append(3);
    const subscription = subscribe(log, { start: () => 1n });
    const received = take(subscription, 3);
    await waitFor(() => log.reads.includes(3n));
    log.append(1);
    subscription.wake();

    expect(sequences(await received)).toEqual([2, 3, 4]);
  });

  it('does not lose a commit woken between the empty page and going idle', async () => {
    const log = new Log();
    const subscription = subscribe(log);
    // The first read finds nothing; the commit and its wake-up land before it answers.
    log.duringNextRead = () => {
      log.append(1);
      subscription.wake();
    };

    expect(sequences(await take(subscription, 1))).toEqual([1]);
  });

  it('sees commits nobody announced by polling', async () => {
    const log = new Log();
    const subscription = subscribe(log, { pollIntervalMs: 5 });
    const received = take(subscription, 1);
    await waitFor(() => log.reads.length > 0);
    log.append(1);

    expect(sequences(await received)).toEqual([1]);
  });

  it('continues after where a page says the read got, even past its last event', async () => {
    const log = new Log();
    log.append(2);
    // A filtered page: one event, but the read covered up to 9.
    const readPage = jest.fn(async (after: bigint): Promise<SubscriptionPage> => {
      if (after === 0n) return { events: [log.events[0]!], next: 9n };
      return { events: after === 9n ? [log.events[1]!] : [], next: after };
    });
    const subscription = new PagedSubscription(
      readPage,
      () => 0n,
      HOUR_MS,
      () => false,
      () => {},
    );

    expect(sequences(await take(subscription, 2))).toEqual([1, 2]);
    expect(readPage.mock.calls.map(([after]) => after)).toEqual([0n, 9n]);
  });

  it('retries transient failures from the last delivered event', async () => {
    const log = new Log();
    log.append(3);
    const subscription = subscribe(log, { pollIntervalMs: 1 });
    const iterator = subscription[Symbol.asyncIterator]();
    expect(sequences([(await iterator.next()).value as RecordedEvent])).toEqual([1]);
    expect(sequences([(await iterator.next()).value as RecordedEvent])).toEqual([2]);
    log.failures.push(new Transient('connection lost'), new Transient('connection lost'));

    expect(sequences([(await iterator.next()).value as RecordedEvent])).toEqual([3]);
    expect(log.reads).toEqual([0n, 2n, 2n, 2n]);
    await subscription.close();
  });

  it('ends the iteration with any other failure, and closes', async () => {
    const log = new Log();
    log.append(1);
    const onClose = jest.fn();
    const subscription = subscribe(log, { onClose });
    const refused = new Error('permission denied');
    log.failures.push(refused);

    expect(await rejectionOf(collect(subscription))).toBe(refused);
    expect(onClose).toHaveBeenCalledTimes(1);
  });

  it('ends the iteration when the start cannot be read, before reading a page', async () => {
    const log = new Log();
    const unknown = new Error('no event has it');
    const subscription = subscribe(log, {
      start: () => {
        throw unknown;
      },
    });

    expect(await rejectionOf(collect(subscription))).toBe(unknown);
    expect(log.reads).toEqual([]);
  });

  it('ends a waiting iteration at once when closed, telling its owner once', async () => {
    const log = new Log();
    const onClose = jest.fn();
    const subscription = subscribe(log, { onClose });
    const done = collect(subscription);
    await waitFor(() => log.reads.length > 0);

    await subscription.close();
    await subscription.close();
    expect(await done).toEqual([]);
    expect(onClose).toHaveBeenCalledTimes(1);
  });

  it('stops within a page when closed from inside the loop', async () => {
    const log = new Log();
    log.append(2);
    const subscription = subscribe(log);
    const seen: RecordedEvent[] = [];
    for await (const event of subscription) {
      seen.push(event);
      await subscription.close();
    }

    expect(sequences(seen)).toEqual([1]);
  });

  it('can be iterated only once', () => {
    const subscription = subscribe(new Log());
    subscription[Symbol.asyncIterator]();

    expect(() => subscription[Symbol.asyncIterator]()).toThrow(/only once/);
  });
});
