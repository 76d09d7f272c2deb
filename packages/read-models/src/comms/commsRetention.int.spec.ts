import { encodeUlid } from '@missive/domain';
import { SqliteEventStore, type RecordedEvent } from '@missive/event-store';
import { ERASED_PLACEHOLDERS, protectMissiveEventStore } from '@missive/personal-data';
import { ProjectionRunner } from '@missive/projections';
import { randomBytes, randomInt } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openTestDatabase, type TestDatabase } from '../../../projections/src/testing/testDatabase';
import { outboundMessagesProjection } from '../outboundMessages/outboundMessagesProjection';
import { commsProjection } from './commsProjection';
import { purgeExpiredComms } from './commsRetention';
import { asEventData, commsMessageCreated, operationCreated } from './testing/commsEvents';

const SECOND = 1000;
const DAY = 86_400_000;

describe.each(['sqlite', 'postgres'] as const)('Comms retention on %s read models', (dialect) => {
  let dir: string;
  let testDb: TestDatabase;
  let store: ReturnType<typeof protectMissiveEventStore>;
  let runners: ProjectionRunner[];
  const now = new Date();

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'comms-retention-'));
    testDb = await openTestDatabase(dialect);
    store = protectMissiveEventStore(
      new SqliteEventStore({ path: ':memory:' }),
      `sqlite:${join(dir, 'keys.db')}`,
    );
    runners = [commsProjection, outboundMessagesProjection].map(
      (projection) => new ProjectionRunner({ store, db: testDb.db, projection }),
    );
  });

  afterEach(async () => {
    await Promise.all(runners.map((r) => r.stop()));
    await testDb.cleanup();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A send of one message with a text and address of its own, created `ageMs` ago. */
  async function sent(ageMs: number, expiresAt: string | undefined) {
    const createdMs = now.getTime() - ageMs;
    const createdAt = new Date(createdMs).toISOString();
    const operationId = encodeUlid(createdMs, randomBytes(10));
    const outboundId = encodeUlid(createdMs, randomBytes(10));
    const marker = randomBytes(6).toString('hex');
    const text = `Text${marker}`;
    const to = `+1415${randomInt(1_000_000, 10_000_000)}`;
    const retention = expiresAt ? { expiresAt } : {};
    await store.append(
      `operation-${operationId}`,
      asEventData([
        operationCreated(operationId, {
          createdAt,
          ...retention,
          fanOut: {
            text: `${text} {{name}}`,
            media: [],
            from: { phone: '+15005550006' },
            messages: [{ channel: 'phone', to, variables: { name: `Var${marker}` } }],
          },
        }),
      ]),
    );
    await store.append(
      `outbound-${outboundId}`,
      asEventData([
        commsMessageCreated({
          outboundId,
          operationId,
          createdAt,
          to,
          body: text,
          tags: { campaign: 'spring' },
          ...retention,
        }),
      ]),
    );
    return { operationId, outboundId, text, to };
  }

  const first = async (stream: string): Promise<RecordedEvent> => {
    for await (const event of store.readStream(stream)) return event;
    throw new Error(`${stream} is empty`);
  };
  const ids = async (table: string, column: string) =>
    (await testDb.db.selectFrom(table).select(column).execute()).map((r) => r[column]).sort();

  it('deletes the keys and rows of what expired, by the end each send recorded', async () => {
    // Sent a minute ago under a retention of 30 s; under the 7 days (recorded before the end
    // was); and an hour ago under the 7 days, still kept.
    const short = await sent(60 * SECOND, new Date(now.getTime() - 30 * SECOND).toISOString());
    const old = await sent(8 * DAY, undefined);
    const kept = await sent(3600 * SECOND, new Date(now.getTime() + 6 * DAY).toISOString());
    for (const runner of runners) await runner.catchUp();
    expect(await ids('comms_messages', 'id')).toEqual(
      [short, old, kept].map((s) => s.outboundId).sort(),
    );

    expect(await purgeExpiredComms(testDb.db, store, now)).toEqual({
      messages: 2,
      operations: 2,
      walTruncated: true,
    });

    for (const gone of [short, old]) {
      const message = (await first(`outbound-${gone.outboundId}`)).data;
      expect(message).toMatchObject({
        to: ERASED_PLACEHOLDERS.address,
        body: ERASED_PLACEHOLDERS.text,
        media: [],
      });
      const operation = (await first(`operation-${gone.operationId}`)).data;
      expect(operation).toMatchObject({
        fanOut: { text: ERASED_PLACEHOLDERS.text, media: [], messages: [] },
      });
      expect(JSON.stringify([message, operation])).not.toContain(gone.text);
    }
    // What is still within its retention reads as it was written.
    expect((await first(`outbound-${kept.outboundId}`)).data).toMatchObject({
      to: kept.to,
      body: kept.text,
    });
    expect(await ids('comms_messages', 'id')).toEqual([kept.outboundId]);
    expect(await ids('comms_message_tags', 'message_id')).toEqual([kept.outboundId]);
    expect(await ids('comms_operations', 'id')).toEqual([kept.operationId]);
    expect(await ids('outbound_messages', 'outbound_id')).toEqual([kept.outboundId]);

    // Purged is purged: a second run finds nothing, and later events for it change nothing.
    expect(await purgeExpiredComms(testDb.db, store, now)).toMatchObject({
      messages: 0,
      operations: 0,
    });
    await store.append(
      `outbound-${short.outboundId}`,
      asEventData([
        {
          type: 'OutboundMessageDelivered',
          data: { outboundId: short.outboundId, deliveredAt: now.toISOString() },
        },
      ]),
    );
    for (const runner of runners) await runner.catchUp();
    expect(await ids('outbound_messages', 'outbound_id')).toEqual([kept.outboundId]);
  });
});
