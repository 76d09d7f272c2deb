import { createEventStore, EVENT_STORE_URL_PATTERN } from './createEventStore';
import { EventStoreDbEventStore } from './esdb/eventStoreDbEventStore';
import { PostgresEventStore } from './postgres/postgresEventStore';
import { SqliteEventStore } from './sqlite/sqliteEventStore';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

describe('createEventStore', () => {
  it('opens an in-memory SQLite store for sqlite::memory:', async () => {
    const store = createEventStore('sqlite::memory:');
    expect(store).toBeInstanceOf(SqliteEventStore);
    await store.close();
  });

  it('opens a SQLite file for sqlite:<path> and sqlite://<absolute path>', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'missive-create-'));
    try {
      const relative = createEventStore(`sqlite:${join(dir, 'a.db')}`);
      const absolute = createEventStore(`sqlite://${join(dir, 'a.db')}`);
      await relative.append('conversation-1', [{ id: crypto.randomUUID(), type: 'T', data: {} }]);
      expect(await absolute.headPosition()).toEqual({ commit: 1n, prepare: 1n });
      await relative.close();
      await absolute.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each([
    'esdb://localhost:2113?tls=false',
    'kurrentdb://localhost:2113?tls=false',
    'kurrent://localhost:2113?tls=false',
    'esdb+discover://cluster.local:2113',
  ])('builds the EventStoreDB adapter for %s without connecting', async (url) => {
    const store = createEventStore(url);
    expect(store).toBeInstanceOf(EventStoreDbEventStore);
    await store.close();
  });

  it.each(['postgres://localhost/db', 'postgresql://u@localhost/db?schema=events_a'])(
    'builds the PostgreSQL adapter for %s without connecting',
    async (url) => {
      const store = createEventStore(url);
      expect(store).toBeInstanceOf(PostgresEventStore);
      expect((store as PostgresEventStore).names.schema).toBe(
        url.includes('schema=') ? 'events_a' : 'event_store',
      );
      await store.close();
    },
  );

  it.each(['mysql://localhost/db', 'sqlite:', 'events.db', ''])('rejects %j', (url) => {
    expect(() => createEventStore(url)).toThrow(/event store URL/);
    expect(EVENT_STORE_URL_PATTERN.test(url)).toBe(false);
  });

  it.each(['sqlite::memory:', 'sqlite:./data/events.db', 'kurrent://h:2113', 'esdb://h:2113'])(
    'lets configuration validators accept %j, as createEventStore does',
    (url) => {
      expect(EVENT_STORE_URL_PATTERN.test(url)).toBe(true);
    },
  );
});
