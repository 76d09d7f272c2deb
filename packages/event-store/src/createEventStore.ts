import type { EventStore } from './eventStore';
import { EventStoreDbEventStore } from './esdb/eventStoreDbEventStore';
import { PostgresEventStore } from './postgres/postgresEventStore';
import { SqliteEventStore } from './sqlite/sqliteEventStore';

/** The URLs `createEventStore` accepts, for configuration validators to check the same set. */
export const EVENT_STORE_URL_PATTERN =
  /^(sqlite:.+|(esdb|kurrentdb|kurrent)(\+discover)?:\/\/.+|postgres(ql)?:\/\/.+)$/;

/**
 * Picks the adapter from a URL: `sqlite:<path>` (`sqlite::memory:` for a private in-memory
 * store, `sqlite:///abs/path` also accepted) or an EventStoreDB/KurrentDB connection string
 * (`esdb://`, `esdb+discover://`, `kurrentdb://`, `kurrentdb+discover://`, `kurrent://`), or a
 * PostgreSQL URL (`postgres://`, `postgresql://`; `?schema=` picks the schema, default
 * `event_store`).
 */
export function createEventStore(url: string): EventStore {
  if (url.startsWith('sqlite:')) {
    let path = url.slice('sqlite:'.length);
    if (path.startsWith('//')) path = path.slice(2);
    if (path === '') throw new Error(`event store URL ${JSON.stringify(url)} names no file`);
    return new SqliteEventStore({ path });
  }
  if (/^(esdb|kurrentdb|kurrent)(\+discover)?:\/\//.test(url)) {
    return new EventStoreDbEventStore({ connectionString: url });
  }
  if (/^postgres(ql)?:\/\//.test(url)) {
    return new PostgresEventStore({ connectionString: url });
  }
  throw new Error(
    `unsupported event store URL ${JSON.stringify(url)}: expected sqlite:<path>, sqlite::memory:, esdb://..., kurrentdb://... or postgres://...`,
  );
}
