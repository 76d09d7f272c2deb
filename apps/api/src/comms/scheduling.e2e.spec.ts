import { createDatabase } from '@missive/projections';
import { join } from 'node:path';
import { CommsSandboxTransport, startNotifier } from '@missive/notifications';
import { CONFIRMATION_SECRET, TestApp } from '../testing/testApp';
import { COMMS_ENV, CommsClient, eventually } from './testing/commsClient';

interface Notifier {
  stop(): Promise<void>;
}

/**
 * The API with a notifier in the same process, delivering PHONE and WHATSAPP through the
 * sandbox; stopping both is a restart of the whole embedded deployment.
 */
async function startSystem(dir?: string): Promise<{ app: TestApp; notifier: Notifier }> {
  const app = await TestApp.start(COMMS_ENV, undefined, dir);
  const sandbox = new CommsSandboxTransport();
  // A connection of its own, as the API gives its in-process notifier.
  const db = createDatabase(`sqlite:${join(app.dataDir, 'read-models.db')}`);
  const started = await startNotifier({
    store: app.store,
    db,
    confirmationSecret: CONFIRMATION_SECRET,
    dataDir: app.dataDir,
    transports: { phone: sandbox, whatsapp: sandbox },
    pollIntervalMs: 5,
    deliveryPollIntervalMs: 20,
  });
  const notifier = {
    stop: async () => {
      await started.stop();
      await db.destroy();
    },
  };
  return { app, notifier };
}

describe('Comms scheduling across a restart', () => {
  it('holds a scheduled send through a restart, then queues and delivers it at its time', async () => {
    let { app, notifier } = await startSystem();
    try {
      const comms = new CommsClient(app);
      const sendAt = new Date(Date.now() + 3000).toISOString();
      const operationId = await comms.send({
        to: [
          { address: '+14155550100', channel: 'PHONE' },
          { address: '+15005550011', channel: 'WHATSAPP' },
        ],
        content: { text: 'See you soon' },
        schedule: { sendAt: [sendAt] },
      });
      await notifier.stop();
      // Still waiting when the system goes down: whatever is delivered, the restart delivered.
      const before = (await comms.get(`/v1/Messages?operationId=${operationId}`)).body.messages;
      expect(before.map((m: { status: string }) => m.status)).toEqual(['SCHEDULED', 'SCHEDULED']);

      await app.stop({ keepData: true });
      ({ app, notifier } = await startSystem(app.dataDir));
      const again = new CommsClient(app);

      const operation = await eventually(
        async () => (await again.get(`/v1/Messages/Operations/${operationId}`)).body,
        (op) => op.stats.delivered + op.stats.undelivered === 2,
        20_000,
      );
      expect(operation).toMatchObject({
        status: 'COMPLETED',
        stats: { total: 2, scheduled: 0, queued: 0, delivered: 1, undelivered: 1, attempts: 2 },
      });
      const messages = (await again.get(`/v1/Messages?operationId=${operationId}`)).body.messages;
      expect(messages).toHaveLength(2);
      for (const message of messages) {
        const fetched = (await again.get(`/v1/Messages/${message.id}`)).body;
        expect(fetched.scheduledFor).toBe(sendAt.replace(/\.\d{3}Z$/, 'Z'));
        expect(fetched.attempts).toHaveLength(1);
        // Never attempted before its time.
        expect(Date.parse(fetched.attempts[0].attemptedAt)).toBeGreaterThanOrEqual(
          Date.parse(sendAt) - 999,
        );
      }
    } finally {
      await notifier.stop();
      await app.stop();
    }
  });
});
