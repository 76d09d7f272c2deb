import {
  createDatabase,
  dialectOf,
  truncateSqliteWal,
  type CreateDatabaseOptions,
} from '@missive/projections';
import { sql, type Kysely } from 'kysely';
import { randomUUID } from 'node:crypto';
import { newDataKey } from './fieldCipher';

const STREAM_KEY_SUBJECT = '$stream-names';
const ERASE_CHUNK = 500;

/** A subject whose key was deleted: nothing may be sealed for it again. */
export class SubjectErasedError extends Error {
  constructor(readonly subject: string) {
    super(`personal data of ${subject} was erased; nothing new can be recorded for it`);
    this.name = 'SubjectErasedError';
  }
}

/**
 * The data keys, one per data subject, kept outside the event log (a SQLite file of its own on
 * the embedded default, a table beside the read models on PostgreSQL). Deleting a key leaves a
 * tombstone, so an erased subject never gets a fresh key that would make new data readable
 * under the old name.
 */
export class KeyStore {
  // Keys are opaque to the read-model runtime: this class owns its two tables.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly #db: Kysely<any>;
  readonly #ready: Promise<void>;

  /** `url`: `sqlite:<path>` or `postgres://…`; `options.schema` puts the tables in a schema of their own. */
  constructor(
    readonly url: string,
    options: Pick<CreateDatabaseOptions, 'schema'> = {},
  ) {
    this.#db = createDatabase(url, { ...options, poolSize: 4 });
    this.#ready = this.#init();
  }

  async #init(): Promise<void> {
    const db = this.#db;
    if (dialectOf(db) === 'sqlite') {
      // A deleted key must not survive in free pages; and a key must be on disk before the
      // event it seals is (the read-model default, synchronous=NORMAL, could lose it).
      await sql`PRAGMA secure_delete = ON`.execute(db);
      await sql`PRAGMA synchronous = FULL`.execute(db);
    }
    await db.schema
      .createTable('personal_data_keys')
      .ifNotExists()
      .addColumn('subject', 'text', (c) => c.primaryKey())
      .addColumn('data_key', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('erased_at', 'text')
      .execute();
    await db.schema
      .createTable('personal_data_meta')
      .ifNotExists()
      .addColumn('name', 'text', (c) => c.primaryKey())
      .addColumn('value', 'text', (c) => c.notNull())
      .execute();
    await db
      .insertInto('personal_data_meta')
      .values({ name: 'store_id', value: randomUUID() })
      .onConflict((oc) => oc.column('name').doNothing())
      .execute();
  }

  /** The id this key store got when it was created: the event log records which one it uses. */
  async storeId(): Promise<string> {
    await this.#ready;
    const row = await this.#db
      .selectFrom('personal_data_meta')
      .select('value')
      .where('name', '=', 'store_id')
      .executeTakeFirstOrThrow();
    return row.value as string;
  }

  /**
   * The secret that keys stream names derived from personal data (`streamKeyOf`). It lives
   * here, outside the log, and is never erased.
   */
  async streamKeySecret(): Promise<Buffer> {
    const keys = await this.keysFor([STREAM_KEY_SUBJECT], true);
    return keys.get(STREAM_KEY_SUBJECT)!;
  }

  /**
   * The keys of these subjects. Erased subjects are absent from the answer. With `create`,
   * missing keys are made first (durably, before the caller appends what they seal), and an
   * erased subject is a `SubjectErasedError`.
   */
  async keysFor(subjects: readonly string[], create: boolean): Promise<Map<string, Buffer>> {
    await this.#ready;
    const keys = new Map<string, Buffer>();
    if (subjects.length === 0) return keys;
    const unique = [...new Set(subjects)];
    if (create) {
      const now = new Date().toISOString();
      await this.#db
        .insertInto('personal_data_keys')
        .values(
          unique.map((subject) => ({
            subject,
            data_key: newDataKey().toString('base64'),
            created_at: now,
          })),
        )
        .onConflict((oc) => oc.column('subject').doNothing())
        .execute();
    }
    const rows = await this.#db
      .selectFrom('personal_data_keys')
      .select(['subject', 'data_key'])
      .where('subject', 'in', unique)
      .execute();
    for (const row of rows) {
      if (row.data_key === null) {
        if (create) throw new SubjectErasedError(row.subject as string);
        continue;
      }
      keys.set(row.subject as string, Buffer.from(row.data_key as string, 'base64'));
    }
    return keys;
  }

  /**
   * Deletes a subject's key for good (a tombstone stays). On SQLite the freed bytes are
   * zeroed (`secure_delete`) and the WAL is checkpointed and truncated, so the key is gone
   * from the files too. Returns whether a key was there.
   */
  async eraseKey(subject: string): Promise<boolean> {
    return (await this.eraseKeys([subject])) > 0;
  }

  /**
   * `eraseKey` for many subjects at once (Comms retention ends thousands of messages): a
   * statement per 500 subjects and one checkpoint. Returns how many of them still had a key.
   */
  async eraseKeys(subjects: readonly string[]): Promise<number> {
    if (subjects.includes(STREAM_KEY_SUBJECT)) {
      throw new Error('the stream-name secret is never erased');
    }
    await this.#ready;
    const unique = [...new Set(subjects)];
    if (unique.length === 0) return 0;
    let erased = 0;
    // A chunk's statements stay under SQLite's and PostgreSQL's bound-parameter limits.
    for (let i = 0; i < unique.length; i += ERASE_CHUNK) {
      const chunk = unique.slice(i, i + ERASE_CHUNK);
      const held = await this.#db
        .selectFrom('personal_data_keys')
        .select((eb) => eb.fn.countAll<number | string>().as('n'))
        .where('subject', 'in', chunk)
        .where('data_key', 'is not', null)
        .executeTakeFirstOrThrow();
      erased += Number(held.n);
      const now = new Date().toISOString();
      await this.#db
        .insertInto('personal_data_keys')
        .values(
          chunk.map((subject) => ({ subject, data_key: null, created_at: now, erased_at: now })),
        )
        .onConflict((oc) =>
          oc.column('subject').doUpdateSet({
            data_key: null,
            erased_at: sql`coalesce(personal_data_keys.erased_at, ${now})`,
          }),
        )
        .execute();
    }
    await this.flushToDisk();
    return erased;
  }

  /**
   * SQLite: moves every committed page from the WAL into the file and empties the WAL (a
   * reader in another process can hold that back for a moment; the next erasure's flush then
   * takes the frames left). Resolves whether the WAL was emptied.
   */
  flushToDisk(): Promise<boolean> {
    return truncateSqliteWal(this.#db);
  }

  async close(): Promise<void> {
    await this.#ready.catch(() => undefined);
    await this.#db.destroy();
  }
}
