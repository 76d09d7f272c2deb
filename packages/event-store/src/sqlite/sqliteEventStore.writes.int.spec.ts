import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppendTooLargeError } from '../appendTooLargeError';
import { WrongExpectedVersionError } from '../wrongExpectedVersionError';
import { collect, event, rejectionOf } from '../testing/contractHelpers';
import { appendBytes } from '../appendBytes';
import { serializeEvent } from '../pendingAppend';
import { SqliteEventStore, type SqliteEventStoreOptions } from './sqliteEventStore';

// What the SQLite adapter adds to the contract on the write side: its options, its error
// messages, how it groups appends into transactions, and a transaction that cannot start.

let dir: string;
let files = 0;
const stores: SqliteEventStore[] = [];

function open(options: Partial<SqliteEventStoreOptions> = {}): SqliteEventStore {
  const store = new SqliteEventStore({ path: join(dir, `events-${++files}.db`), ...options });
  stores.push(store);
  return store;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'missive-sqlite-writes-'));
});

afterEach(async () => {
  await Promise.all(stores.splice(0).map((store) => store.close()));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('SqliteEventStore options', () => {
  it('sets the busy timeout and the checkpoint size, rounded down and never negative', () => {
    expect(open().pragmas()).toMatchObject({ busyTimeout: 5000, walAutocheckpoint: 4000 });
    expect(open({ busyTimeoutMs: 1234.9, walAutocheckpointPages: 99.5 }).pragmas()).toMatchObject({
      busyTimeout: 1234,
      walAutocheckpoint: 99,
    });
    expect(open({ busyTimeoutMs: -5, walAutocheckpointPages: -1 }).pragmas()).toMatchObject({
      busyTimeout: 0,
      walAutocheckpoint: 0,
    });
  });

  it('refuses an append over maxAppendBytes, and takes one of exactly that size', async () => {
    const sized = event('Sized', { text: 'x'.repeat(100) });
    const bytes = appendBytes([serializeEvent(sized)]);

    const error = await rejectionOf(open({ maxAppendBytes: bytes - 1 }).append('doc-1', [sized]));
    const result = await open({ maxAppendBytes: bytes }).append('doc-1', [sized]);

    expect(error).toBeInstanceOf(AppendTooLargeError);
    expect((error as Error).message).toBe(
      `append to doc-1 is too large: ${bytes} bytes, over the ${bytes - 1}-byte limit`,
    );
    expect(result.nextExpectedRevision).toBe(0);
  });

  it('groups at most maxAppendsPerTransaction appends, and at least one', async () => {
    const appendFive = (store: SqliteEventStore) =>
      Promise.all(Array.from({ length: 5 }, (_, i) => store.append(`doc-${i}`, [event()])));

    const twos = open({ maxAppendsPerTransaction: 2 });
    const results = await appendFive(twos);
    const ones = open({ maxAppendsPerTransaction: 0 });
    await appendFive(ones);

    expect(results.map((r) => r.position.commit)).toEqual([1n, 2n, 3n, 4n, 5n]);
    expect(twos.stats()).toEqual({
      appends: 5,
      events: 5,
      transactions: 3,
      conflicts: 0,
      subscriptions: 0,
    });
    expect(ones.stats().transactions).toBe(5);
  });
});

describe('SqliteEventStore refusals', () => {
  it('says why it refuses an empty append, an append after close, and a bad maxAge', async () => {
    const store = open();

    await expect(store.append('doc-1', [])).rejects.toThrow(
      new RangeError('append to doc-1: at least one event is required'),
    );
    await expect(store.setStreamMaxAge('doc-1', 1)).resolves.toBeUndefined();
    for (const seconds of [0, 1.5, -60]) {
      await expect(store.setStreamMaxAge('doc-1', seconds)).rejects.toThrow(
        new RangeError('maxAge of doc-1 must be a positive number of seconds'),
      );
    }
    await store.close();
    await expect(store.append('doc-1', [event()])).rejects.toThrow(
      new Error('SqliteEventStore is closed'),
    );
    expect(() => store.subscribe()).toThrow(new Error('SqliteEventStore is closed'));
  });

  it('refuses, without writing, a retry that carries more events than were written', async () => {
    const store = open();
    const written = [event('A'), event('B')];
    await store.append('doc-1', written, { expectedRevision: 'no_stream' });

    for (const expectedRevision of ['no_stream', 'any'] as const) {
      const error = await rejectionOf(
        store.append('doc-1', [...written, event('C')], { expectedRevision }),
      );
      expect(error).toBeInstanceOf(WrongExpectedVersionError);
      expect(error).toMatchObject({ expected: expectedRevision, actual: 1 });
    }
    expect((await collect(store.readStream('doc-1'))).map((e) => e.type)).toEqual(['A', 'B']);
  });

  it('fails the appends of a transaction that cannot start, and carries on once it can', async () => {
    const store = open({ busyTimeoutMs: 0 });
    await store.append('doc-1', [event()]);
    // Another connection holds the write lock, as another process would.
    const other = new Database(join(dir, `events-${files}.db`));
    other.prepare('BEGIN IMMEDIATE').run();

    const outcomes = await Promise.allSettled([
      store.append('doc-1', [event()]),
      store.append('doc-2', [event()]),
    ]);
    other.prepare('ROLLBACK').run();
    other.close();
    const after = await store.append('doc-1', [event()], { expectedRevision: 0 });

    expect(
      outcomes.map((o) => o.status === 'rejected' && (o.reason as { code: string }).code),
    ).toEqual(['SQLITE_BUSY', 'SQLITE_BUSY']);
    expect(after.nextExpectedRevision).toBe(1);
    expect(store.stats()).toMatchObject({ appends: 4, events: 2, transactions: 2, conflicts: 0 });
  });
});
