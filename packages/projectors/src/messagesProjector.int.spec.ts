import type { OutboundEvent } from '@missive/domain';
import { SqliteEventStore } from '@missive/event-store';
import { createDatabase, waitForCheckpoint } from '@missive/projections';
import { findOutbound, findOutboundByProviderId } from '@missive/read-models';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMessagesProjector } from './messagesProjector';

const event = (e: OutboundEvent) => ({ id: randomUUID(), type: e.type, data: e.data });
const at = '2026-02-01T10:00:00.000Z';
const outboundId = '01jprojector00000000000001';

describe('messages-projector', () => {
  let dir: string;
  let store: SqliteEventStore;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'messages-projector-'));
    store = new SqliteEventStore({ path: join(dir, 'events.db') });
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('builds the outbound messages live, and resumes from its checkpoint after a restart', async () => {
    const db = createDatabase(`sqlite:${join(dir, 'read-models.db')}`);
    const keys = { eraseAll: async () => 0 };
    const start = () => startMessagesProjector({ store, db, keys, pollIntervalMs: 5 });
    let projector = await start();
    try {
      expect(projector.runners.map((r) => r.name)).toContain('outbound-messages');
      const first = await store.append(`outbound-${outboundId}`, [
        event({
          type: 'OutboundMessageCreated',
          data: {
            outboundId,
            messageId: '42',
            kind: 'conversation_message',
            userId: '7',
            channelId: '9',
            channel: 'email',
            to: 'ada@example.com',
            from: 'notifications@missive.test',
            fromName: 'Missive',
            replyTo: null,
            subject: 'Hello',
            body: 'Hi',
            htmlBody: null,
            media: [],
            conversationId: '5',
            operationId: null,
            tags: {},
            scheduledFor: null,
            cause: null,
            suppressed: false,
            createdAt: at,
          },
        }),
        event({
          type: 'OutboundDispatchStarted',
          data: { outboundId, attempt: 1, transport: 'sandbox', startedAt: at },
        }),
      ]);
      expect(
        await waitForCheckpoint(db, 'outbound-messages', first.position, { timeoutMs: 20_000 }),
      ).toBe(true);
      expect(await findOutbound(db, outboundId)).toMatchObject({ state: 'sending' });

      await projector.stop();
      const second = await store.append(`outbound-${outboundId}`, [
        event({
          type: 'OutboundMessageSent',
          data: {
            outboundId,
            attempt: 1,
            transport: 'sandbox',
            providerMessageId: 'sandbox-1',
            sentAt: at,
          },
        }),
      ]);
      projector = await start();
      expect(
        await waitForCheckpoint(db, 'outbound-messages', second.position, { timeoutMs: 20_000 }),
      ).toBe(true);
      expect(await findOutboundByProviderId(db, 'sandbox-1')).toMatchObject({
        outboundId,
        state: 'sent',
        sentAt: at,
      });
    } finally {
      await projector.stop();
      await db.destroy();
    }
  });
});
