import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore, type EventStore, type RecordedEvent } from '@missive/event-store';
import { createDatabase } from '@missive/projections';
import { sql } from 'kysely';
import { KeyStore, SubjectErasedError } from './keyStore';
import { bindKeyStore, KeyStoreMismatchError } from './keyStoreBinding';
import type { PersonalDataPolicy } from './personalDataPolicy';
import { ProtectedEventStore } from './protectedEventStore';

const PG_TEST_URL = process.env.PG_TEST_URL ?? 'postgres://127.0.0.1:5432/test';

const policy: PersonalDataPolicy = new Map([
  [
    'UserRegistered',
    [{ path: 'name', subject: (_h, d) => `user:${String(d.userId)}`, placeholder: 'Deleted user' }],
  ],
  [
    'MessageAdded',
    [
      { path: 'body', subject: (_h, d) => `user:${String(d.authorId)}`, placeholder: '' },
      {
        path: 'to[].address',
        subject: (holder) => `user:${String(holder.userId)}`,
        placeholder: null,
      },
    ],
  ],
]);

/** Every byte of every file in the folder (the database, its WAL and shared memory). */
function rawBytes(dir: string): Buffer {
  return Buffer.concat(readdirSync(dir).map((name) => readFileSync(join(dir, name))));
}

async function collectAll(iterable: AsyncIterable<RecordedEvent>): Promise<RecordedEvent[]> {
  const out: RecordedEvent[] = [];
  for await (const event of iterable) out.push(event);
  return out;
}

/** The events read, but for the key-store binding every log gets first. */
async function collect(iterable: AsyncIterable<RecordedEvent>): Promise<RecordedEvent[]> {
  const out: RecordedEvent[] = [];
  for await (const event of iterable) if (event.type !== 'KeyStoreBound') out.push(event);
  return out;
}

describe.each(['sqlite', 'postgres'] as const)('ProtectedEventStore with keys on %s', (engine) => {
  let dir: string;
  let keysDir: string;
  let schema: string;
  let inner: EventStore;
  let keys: KeyStore;
  let store: ProtectedEventStore;
  const marker = `Marker${randomBytes(6).toString('hex')}`;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pd-events-'));
    keysDir = mkdtempSync(join(tmpdir(), 'pd-keys-'));
    schema = `pd_test_${process.pid}_${randomBytes(4).toString('hex')}`;
    inner = new SqliteEventStore({ path: join(dir, 'events.db') });
    if (engine === 'postgres') {
      const admin = createDatabase(PG_TEST_URL, { poolSize: 1 });
      await sql`create schema ${sql.id(schema)}`.execute(admin);
      await admin.destroy();
      keys = new KeyStore(PG_TEST_URL, { schema });
    } else {
      keys = new KeyStore(`sqlite:${join(keysDir, 'keys.db')}`);
    }
    store = new ProtectedEventStore(inner, keys, policy);
  });

  afterEach(async () => {
    await store.close();
    await keys.close();
    if (engine === 'postgres') {
      const admin = createDatabase(PG_TEST_URL, { poolSize: 1 });
      await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(admin);
      await admin.destroy();
    }
    rmSync(dir, { recursive: true, force: true });
    rmSync(keysDir, { recursive: true, force: true });
  });

  it('keeps protected fields out of the log and gives them back to readers', async () => {
    await store.append('user-7', [
      {
        id: randomUUID(),
        type: 'UserRegistered',
        data: { userId: '7', name: marker, admin: false },
      },
    ]);
    await store.append('conversation-1', [
      {
        id: randomUUID(),
        type: 'MessageAdded',
        data: {
          authorId: '7',
          body: `${marker} body`,
          to: [{ userId: '8', address: `${marker}@x` }],
        },
      },
    ]);
    expect(rawBytes(dir).includes(marker)).toBe(false);

    const [user] = await collect(store.readStream('user-7'));
    expect(user!.data).toEqual({ userId: '7', name: marker, admin: false });
    const all = await collect(store.readAll());
    expect(all.map((e) => e.data)).toEqual([
      { userId: '7', name: marker, admin: false },
      { authorId: '7', body: `${marker} body`, to: [{ userId: '8', address: `${marker}@x` }] },
    ]);
    const stored = await collect(inner.readStream('user-7'));
    expect((stored[0]!.data as { name: unknown }).name).toMatchObject({ $pd: 1, s: 'user:7' });
  });

  it('shows placeholders once a subject is erased, and refuses new data for it', async () => {
    await store.append('conversation-1', [
      {
        id: randomUUID(),
        type: 'MessageAdded',
        data: { authorId: '7', body: marker, to: [{ userId: '8', address: 'b@x' }] },
      },
    ]);
    expect(await store.erase('user:7')).toBe(true);
    expect(await store.erase('user:7')).toBe(false);

    const [message] = await collect(store.readAll());
    // The erased author's body is gone; the other subject's address is still readable.
    expect(message!.data).toEqual({
      authorId: '7',
      body: '',
      to: [{ userId: '8', address: 'b@x' }],
    });
    await expect(
      store.append('user-7', [
        { id: randomUUID(), type: 'UserRegistered', data: { userId: '7', name: 'again' } },
      ]),
    ).rejects.toThrow(new SubjectErasedError('user:7'));

    // Another process with its own cache also sees the erasure.
    const other = new ProtectedEventStore(inner, keys, policy);
    const [seen] = await collect(other.readAll());
    expect((seen!.data as { body: string }).body).toBe('');
  });

  it('gives each read a copy of its own of a value read before, and none once its key is erased', async () => {
    await store.append('conversation-1', [
      {
        id: randomUUID(),
        type: 'MessageAdded',
        data: { authorId: '7', body: { text: marker }, to: [] },
      },
    ]);
    // A stream read keeps what it opened: the second read takes it from there.
    const body = async () =>
      (
        (await collect(store.readStream('conversation-1')))[0]!.data as {
          body: { text: string } | '';
        }
      ).body;
    const first = await body();
    expect(first).toEqual({ text: marker });
    (first as { text: string }).text = 'changed by a reader';
    expect(await body()).toEqual({ text: marker });

    await store.erase('user:7');
    expect(await body()).toBe('');
  });

  it('erases many subjects in one call, past a chunk of the key store', async () => {
    const users = Array.from({ length: 1200 }, (_, i) => String(i));
    await store.append(
      'conversation-1',
      users.map((id) => ({
        id: randomUUID(),
        type: 'MessageAdded',
        data: { authorId: id, body: `${marker}-${id}`, to: [] },
      })),
    );
    // One subject erased before, one never keyed: counted only where a key went.
    await store.erase('user:0');
    const erased = users.slice(0, 1100).map((id) => `user:${id}`);
    expect(await store.eraseAll([...erased, 'user:never'])).toBe(1099);

    const bodies = (await collect(store.readAll())).map((e) => (e.data as { body: string }).body);
    expect(bodies.filter((b) => b === '')).toHaveLength(1100);
    expect(bodies.slice(1100)).toEqual(users.slice(1100).map((id) => `${marker}-${id}`));
    // A fresh process (no cache) agrees, and nothing new can be sealed for them.
    const fresh = new ProtectedEventStore(inner, keys, policy);
    expect((await keys.keysFor(erased, false)).size).toBe(0);
    expect(
      (await collect(fresh.readAll())).filter((e) => (e.data as { body: string }).body === ''),
    ).toHaveLength(1100);
    await expect(keys.keysFor(['user:never'], true)).rejects.toThrow(SubjectErasedError);
  });

  it('opens nothing of a subject that follows its erasure in the log, even from a warm cache', async () => {
    const erasures = new Map([
      ['UserErased', (d: Record<string, unknown>) => `user:${String(d.userId)}`],
    ]);
    const warm = new ProtectedEventStore(inner, keys, policy, { erasures });
    const message = (body: string) => ({
      id: randomUUID(),
      type: 'MessageAdded',
      data: { authorId: '7', body, to: [] },
    });
    await warm.append('conversation-1', [message('before')]);
    expect((await collect(warm.readAll())).map((e) => (e.data as { body: string }).body)).toEqual([
      'before',
    ]);
    await store.erase('user:7');
    await store.append('user-7', [
      { id: randomUUID(), type: 'UserErased', data: { userId: '7', erasedAt: 'now' } },
    ]);
    // The warm process still holds the key: what it writes now is sealed with a dead key.
    await warm.append('conversation-1', [message('after')]);
    const bodies = (events: RecordedEvent[]) =>
      events.filter((e) => e.type === 'MessageAdded').map((e) => (e.data as { body: string }).body);
    expect(bodies(await collect(new ProtectedEventStore(inner, keys, policy).readAll()))).toEqual([
      '',
      '',
    ]);
    // The warm reader opened the earlier value before meeting the erasure; nothing after it.
    expect(bodies(await collect(warm.readAll()))).toEqual(['before', '']);
  });

  it('opens a read-ahead batch in log order, an erasure inside it included', async () => {
    const erasures = new Map([
      ['UserErased', (d: Record<string, unknown>) => `user:${String(d.userId)}`],
    ]);
    const warm = new ProtectedEventStore(inner, keys, policy, { erasures });
    const message = (authorId: string, body: string) => ({
      id: randomUUID(),
      type: 'MessageAdded',
      data: { authorId, body, to: [{ userId: '9', address: `${body}@example.com` }] },
    });
    // 300 before the erasure, so that it falls inside the second read-ahead batch.
    const before = Array.from({ length: 300 }, (_, i) => message(i % 2 ? '7' : '8', `b${i}`));
    await warm.append('conversation-1', before);
    await collect(warm.readAll());
    await store.erase('user:7');
    await store.append('user-7', [
      { id: randomUUID(), type: 'UserErased', data: { userId: '7', erasedAt: 'now' } },
    ]);
    const after = Array.from({ length: 100 }, (_, i) => message(i % 2 ? '7' : '8', `a${i}`));
    await warm.append('conversation-1', after);
    const shown = (m: (typeof before)[number], erased: boolean) => [
      erased && m.data.authorId === '7' ? '' : m.data.body,
      `${m.data.body}@example.com`,
    ];
    const seen = (events: RecordedEvent[]) =>
      events
        .filter((e) => e.type === 'MessageAdded')
        .map((e) => {
          const data = e.data as { body: string; to: { address: string }[] };
          return [data.body, data.to[0]!.address];
        });
    // The warm reader still held 7's key when it met the first 300: it opens those, and none
    // after the erasure, which it meets in the middle of a batch.
    expect(seen(await collect(warm.readAll()))).toEqual([
      ...before.map((m) => shown(m, false)),
      ...after.map((m) => shown(m, true)),
    ]);
    // Having met the erasure, it opens nothing of 7's any more, even values it opened before.
    expect(seen(await collect(warm.readStream('conversation-1')))).toEqual(
      [...before, ...after].map((m) => shown(m, true)),
    );
  });

  it('hands appends to the inner store in the order they were made, a new key or not', async () => {
    // The first needs a key made for a new subject, the second none: neither awaited.
    const first = store.append('conversation-9', [
      { id: randomUUID(), type: 'MessageAdded', data: { authorId: '31', body: 'first', to: [] } },
    ]);
    const second = store.append('conversation-9', [
      { id: randomUUID(), type: 'ConversationArchived', data: { userId: '31' } },
    ]);
    const [a, b] = await Promise.all([first, second]);
    expect([a.nextExpectedRevision, b.nextExpectedRevision]).toEqual([0, 1]);
    expect((await collect(store.readStream('conversation-9'))).map((e) => e.type)).toEqual([
      'MessageAdded',
      'ConversationArchived',
    ]);
  });

  it('passes events written before protection through unchanged', async () => {
    await inner.append('user-9', [
      { id: randomUUID(), type: 'UserRegistered', data: { userId: '9', name: 'Plain Old' } },
    ]);
    const [event] = await collect(store.readStream('user-9'));
    expect(event!.data).toEqual({ userId: '9', name: 'Plain Old' });
  });

  it('decrypts in live subscriptions', async () => {
    const subscription = store.subscribe();
    const first = (async () => {
      for await (const event of subscription) if (event.type !== 'KeyStoreBound') return event;
      return undefined;
    })();
    await store.append('user-3', [
      { id: randomUUID(), type: 'UserRegistered', data: { userId: '3', name: marker } },
    ]);
    expect((await first)!.data).toEqual({ userId: '3', name: marker });
    await subscription.close();
  });

  it('refuses to start on a key store the log was not written with', async () => {
    await store.ready();
    await bindKeyStore(inner, keys);
    const bindings = (await collectAll(inner.readAll())).filter((e) => e.type === 'KeyStoreBound');
    expect(bindings.map((e) => e.data)).toEqual([{ keyStoreId: await keys.storeId() }]);
    const otherDir = mkdtempSync(join(tmpdir(), 'pd-keys-'));
    const replaced = new KeyStore(`sqlite:${join(otherDir, 'keys.db')}`);
    try {
      await expect(bindKeyStore(inner, replaced)).rejects.toBeInstanceOf(KeyStoreMismatchError);
      const started = new ProtectedEventStore(inner, replaced, policy);
      await expect(started.ready()).rejects.toThrow(
        /is not the one this event log was written with/,
      );
      await expect(collect(started.readAll())).rejects.toThrow(KeyStoreMismatchError);
    } finally {
      await replaced.close();
      rmSync(otherDir, { recursive: true, force: true });
    }
  });
});

describe('KeyStore on SQLite, on disk', () => {
  it('leaves no trace of an erased key in the file or its WAL', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pd-keys-'));
    const keys = new KeyStore(`sqlite:${join(dir, 'keys.db')}`);
    try {
      const key = (await keys.keysFor(['user:1'], true)).get('user:1')!;
      await keys.keysFor(['user:2'], true);
      await keys.flushToDisk();
      const encoded = key.toString('base64');
      expect(rawBytes(dir).includes(encoded)).toBe(true);
      await keys.eraseKey('user:1');
      expect(rawBytes(dir).includes(encoded)).toBe(false);
      expect((await keys.keysFor(['user:1', 'user:2'], false)).has('user:2')).toBe(true);
      expect((await keys.keysFor(['user:1'], false)).size).toBe(0);
    } finally {
      await keys.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps one stream-name secret that cannot be erased', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pd-keys-'));
    const keys = new KeyStore(`sqlite:${join(dir, 'keys.db')}`);
    try {
      const secret = await keys.streamKeySecret();
      expect(secret).toHaveLength(32);
      expect(await keys.streamKeySecret()).toEqual(secret);
      await expect(keys.eraseKey('$stream-names')).rejects.toThrow(
        'the stream-name secret is never erased',
      );
    } finally {
      await keys.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
