import { createEventStore } from '@missive/event-store';
import { protectMissiveEventStore, type ProtectedEventStore } from '@missive/personal-data';
import { createDatabase } from '@missive/projections';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ProjectorConfig } from './projectorConfig';

export interface Stores {
  /** The event store, sealing and opening personal data; it also deletes keys (`eraseAll`). */
  readonly store: ProtectedEventStore;
  readonly db: ReturnType<typeof createDatabase>;
  /** Closes the read-model database, then the event store. */
  close(): Promise<void>;
}

/**
 * Opens the event store and the read-model database a process is configured with. The
 * embedded default keeps its files in DATA_DIR, so the directory is created when either
 * store is left to that default. Personal data in events is sealed and opened with the keys of
 * the key store (`KEY_STORE_URL`), which must be the one the log was written with.
 */
export async function openStores(config: ProjectorConfig): Promise<Stores> {
  if (!config.EVENT_STORE_URL || !config.READ_MODEL_URL || !config.KEY_STORE_URL) {
    mkdirSync(resolve(config.DATA_DIR), { recursive: true });
  }
  const store = protectMissiveEventStore(
    createEventStore(config.eventStoreUrl),
    config.keyStoreUrl,
  );
  // A lost or replaced key store stops the process here, not at its first read.
  await store.ready();
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
