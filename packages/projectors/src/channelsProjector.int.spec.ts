import type { ChannelEvent } from '@missive/domain';
import { SqliteEventStore } from '@missive/event-store';
import { createDatabase, waitForCheckpoint } from '@missive/projections';
import { ChannelQueries } from '@missive/read-models';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startChannelsProjector } from './channelsProjector';

const event = (e: ChannelEvent) => ({ id: randomUUID(), type: e.type, data: e.data });
const at = '2026-02-01T10:00:00.000Z';

describe('channels-projector', () => {
  let dir: string;
  let store: SqliteEventStore;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'channels-projector-'));
    store = new SqliteEventStore({ path: join(dir, 'events.db') });
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('builds the channels read model live, and resumes from its checkpoint after a restart', async () => {
    const db = createDatabase(`sqlite:${join(dir, 'read-models.db')}`);
    const queries = new ChannelQueries(db);
    const start = () => startChannelsProjector({ store, db, pollIntervalMs: 5 });
    let projector = await start();
    try {
      expect(projector.runners.map((r) => r.name)).toContain('channels');
      const first = await store.append('channel-50', [
        event({
          type: 'ChannelAdded',
          data: {
            channelId: '50',
            userId: '7',
            type: 'email',
            address: 'jane@example.com',
            position: 1,
            workflowState: 'unconfirmed',
            confirmationNonce: 'nonce-2345',
            createdAt: at,
          },
        }),
      ]);
      expect(await waitForCheckpoint(db, 'channels', first.position, { timeoutMs: 20_000 })).toBe(
        true,
      );
      expect(await queries.findById('50')).toMatchObject({ workflowState: 'unconfirmed' });

      await projector.stop();
      const second = await store.append('channel-50', [
        event({
          type: 'ChannelBounced',
          data: { channelId: '50', userId: '7', bounceCount: 1, lastBounceAt: at },
        }),
      ]);
      projector = await start();
      expect(await waitForCheckpoint(db, 'channels', second.position, { timeoutMs: 20_000 })).toBe(
        true,
      );
      expect(await queries.findById('50')).toMatchObject({ bounceCount: 1, lastBounceAt: at });
    } finally {
      await projector.stop();
      await db.destroy();
    }
  });
});
