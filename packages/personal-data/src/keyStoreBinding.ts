import { randomUUID } from 'node:crypto';
import { WrongExpectedVersionError, type EventStore } from '@missive/event-store';
import type { KeyStore } from './keyStore';

/** The stream that records which key store the log's sealed values need. */
export const KEY_STORE_BINDING_STREAM = 'keystorebinding-log';

export class KeyStoreMismatchError extends Error {
  constructor(expected: string, found: string, url: string) {
    super(
      `the personal-data key store at ${url} is not the one this event log was written with ` +
        `(the log names key store ${expected}, this one is ${found}): restore the key store ` +
        `from its backup; starting without it would show every protected field as erased`,
    );
    this.name = 'KeyStoreMismatchError';
  }
}

/**
 * Called at start-up: the first process to run records the key store's id in the log; every
 * later start checks that the key store it opened is that one. A lost or replaced key store
 * is a loud start-up error, never silent placeholders.
 */
export async function bindKeyStore(store: EventStore, keys: KeyStore): Promise<void> {
  const id = await keys.storeId();
  for (let attempt = 0; attempt < 2; attempt++) {
    let recorded: string | undefined;
    for await (const event of store.readStream(KEY_STORE_BINDING_STREAM, { maxCount: 1 })) {
      recorded = (event.data as { keyStoreId: string }).keyStoreId;
    }
    if (recorded !== undefined) {
      if (recorded !== id) throw new KeyStoreMismatchError(recorded, id, keys.url);
      return;
    }
    try {
      await store.append(
        KEY_STORE_BINDING_STREAM,
        [{ id: randomUUID(), type: 'KeyStoreBound', data: { keyStoreId: id } }],
        { expectedRevision: 'no_stream' },
      );
      return;
    } catch (err) {
      // Another process bound it first: read what it recorded.
      if (!(err instanceof WrongExpectedVersionError)) throw err;
    }
  }
}
