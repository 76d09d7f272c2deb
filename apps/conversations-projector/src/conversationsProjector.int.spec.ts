import type { ConversationEvent, UserEvent } from '@missive/domain';
import { SqliteEventStore, type Position } from '@missive/event-store';
import { createDatabase, waitForCheckpoint } from '@missive/projections';
import { ConversationQueries } from '@missive/read-models';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const MAIN = join(__dirname, '..', 'dist', 'main.js');
// Fixed in the high range, away from the services on this machine.
const HEALTH_PORT = 38000 + (process.pid % 1000);

/** The projector as operators run it: its own OS process, sharing only the data directory. */
function startProjector(dataDir: string, env: Record<string, string> = {}): Promise<ChildProcess> {
  const child = spawn(process.execPath, [MAIN], {
    env: { ...process.env, DATA_DIR: dataDir, PROJECTOR_POLL_INTERVAL_MS: '5', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('conversations-projector running')) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`projector exited with ${code}: ${out}`)));
  });
}

function stopProjector(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.kill('SIGTERM');
  });
}

const event = (e: ConversationEvent | UserEvent) => ({
  id: randomUUID(),
  type: e.type,
  data: e.data,
});
const at = '2026-02-01T10:00:00.000Z';

describe('conversations-projector process', () => {
  let dir: string;
  let store: SqliteEventStore;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'projector-e2e-'));
    store = new SqliteEventStore({ path: join(dir, 'events.db') });
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('builds the inbox from events another process appends, and resumes after a restart', async () => {
    for (const [id, name] of [
      ['1', 'Ann'],
      ['2', 'Ben'],
    ] as const) {
      await store.append(`user-${id}`, [
        event({
          type: 'UserRegistered',
          data: {
            userId: id,
            name,
            shortName: name,
            sortableName: name,
            loginId: name,
            siteAdmin: false,
            createdAt: at,
          },
        }),
      ]);
    }
    const message = (messageId: string): ConversationEvent => ({
      type: 'MessageAdded',
      data: {
        conversationId: '100',
        messageId,
        authorId: '1',
        body: `hello ${messageId}`,
        createdAt: at,
        recipientIds: ['1', '2'],
        generated: false,
        attachmentIds: [],
        mediaComment: null,
        forwardedMessageIds: [],
        updateForSender: false,
      },
    });
    const first = await store.append('conversation-100', [
      event({
        type: 'ConversationStarted',
        data: {
          conversationId: '100',
          authorId: '1',
          participantIds: ['1', '2'],
          subject: 'hi',
          privateHash: null,
          contextCode: null,
          createdAt: at,
        },
      }),
      event(message('500')),
    ]);

    let projector = await startProjector(dir, { HEALTH_PORT: String(HEALTH_PORT) });
    const db = createDatabase(`sqlite:${join(dir, 'read-models.db')}`);
    try {
      const queries = new ConversationQueries(db);
      const caughtUp = (p: Position) =>
        waitForCheckpoint(db, 'conversations', p, { timeoutMs: 20_000 });
      expect(await caughtUp(first.position)).toBe(true);
      const health = await fetch(`http://127.0.0.1:${HEALTH_PORT}/health`);
      expect(health.status).toBe(200);
      const body = (await health.json()) as {
        status: string;
        projections: { name: string; lag: number }[];
      };
      expect(body.status).toBe('ok');
      expect(body.projections.map((p) => p.name)).toEqual([
        'users',
        'conversations',
        'progress',
        'conversation-batches',
      ]);
      expect((await queries.list('2', 'inbox', { limit: 10, offset: 0 })).items).toMatchObject([
        { id: '100', messageCount: 1, workflowState: 'unread' },
      ]);

      expect(await stopProjector(projector)).toBe(0);
      const second = await store.append('conversation-100', [event(message('501'))]);
      projector = await startProjector(dir);
      expect(await caughtUp(second.position)).toBe(true);
      const [view] = (await queries.list('2', 'inbox', { limit: 10, offset: 0 })).items;
      // Resumed from its checkpoint: the second message counted once, the first not again.
      expect(view).toMatchObject({ messageCount: 2 });
      expect(view!.lastMessage?.body).toBe('hello 501');
    } finally {
      await stopProjector(projector);
      await db.destroy();
    }
  });
});
