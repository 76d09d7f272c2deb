import { createEventStore, type EventStore } from '@missive/event-store';
import { createDatabase } from '@missive/projections';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ProjectorConfig } from './projectorConfig';

export interface Stores {
  readonly store: EventStore;
  readonly db: ReturnType<typeof createDatabase>;
  /** Closes the read-model database, then the event store. */
  close(): Promise<void>;
}

/**
 * Opens the event store and the read-model database a process is configured with. The
 * embedded default keeps its files in DATA_DIR, so the directory is created when either
 * store is left to that default.
 */
export function openStores(config: ProjectorConfig): Stores {
  if (!config.EVENT_STORE_URL || !config.READ_MODEL_URL) {
    mkdirSync(resolve(config.DATA_DIR), { recursive: true });
  }
  const store = createEventStore(config.eventStoreUrl);
  const db = createDatabase(config.readModelUrl);
  return {
    store,
    db,
    close: async () => {
      await db.destroy();
      await store.close();
    },
  };
}
