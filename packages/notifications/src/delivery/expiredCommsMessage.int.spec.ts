import { SqliteEventStore } from '@missive/event-store';
import { ProjectionRunner } from '@missive/projections';
import {
  openTestDatabase,
  type TestDatabase,
} from '../../../../packages/projections/src/testing/testDatabase';
import { ScriptedTransport } from '../testing/scriptedTransport';
import { eventData, outboundCreated, streamEvents } from '../testing/notifierEvents';
import { TransportRegistry } from '../transports/transportRegistry';
import { deliveryQueueProjection } from './deliveryQueueProjection';
import { Dispatcher } from './dispatcher';

const T0 = Date.parse('2026-03-01T10:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();

describe('dispatcher and Comms retention', () => {
  let store: SqliteEventStore;
  let testDb: TestDatabase;

  beforeEach(async () => {
    store = new SqliteEventStore({ path: ':memory:' });
    testDb = await openTestDatabase('sqlite');
  });
  afterEach(async () => {
    await testDb.cleanup();
    await store.close();
  });

  it('cancels a Comms message whose retention ended before it went, and sends the rest', async () => {
    const transport = new ScriptedTransport();
    const comms = (outboundId: string, overrides: object) =>
      store.append(`outbound-${outboundId}`, [
        eventData(
          outboundCreated({
            outboundId,
            kind: 'comms',
            userId: null,
            channelId: null,
            channel: 'phone',
            to: '+14155550100',
            subject: null,
            ...overrides,
          }),
        ),
      ]);
    // Retention of a minute, ended; the same, not yet; 7 days (recorded before the end was),
    // ended.
    await comms('expired', { createdAt: iso(T0 - 120_000), expiresAt: iso(T0 - 60_000) });
    await comms('live', { createdAt: iso(T0 - 30_000), expiresAt: iso(T0 + 30_000) });
    await comms('old', { createdAt: iso(T0 - 8 * 86_400_000) });
    const queue = new ProjectionRunner({
      store,
      db: testDb.db,
      projection: deliveryQueueProjection,
    });
    const dispatcher = new Dispatcher({
      store,
      db: testDb.db,
      transports: new TransportRegistry().register('phone', transport),
      retryBaseMs: 60_000,
      leaseMs: 300_000,
      pollIntervalMs: 60_000,
      now: () => new Date(T0),
    });
    try {
      await queue.catchUp();
      await dispatcher.runOnce();
      await queue.catchUp();

      expect(transport.calls.map((m) => m.outboundId)).toEqual(['live']);
      for (const id of ['expired', 'old']) {
        const events = await streamEvents(store, `outbound-${id}`);
        expect(events.map((e) => e.type)).toEqual([
          'OutboundMessageCreated',
          'OutboundMessageCancelled',
        ]);
      }
      // Cancelled is final: nothing of them is left to dispatch.
      expect(await testDb.db.selectFrom('delivery_queue').select('outbound_id').execute()).toEqual(
        [],
      );
    } finally {
      await dispatcher.stop();
      await queue.stop();
    }
  });
});
