import { SqliteEventStore, type EventStore, type RecordedEvent } from '@missive/event-store';
import { protectMissiveEventStore } from '@missive/personal-data';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  addChannel,
  addMessage,
  createdMessages,
  eventually,
  registerUser,
  startConversation,
  streamEvents,
} from '../../../packages/notifications/src/testing/notifierEvents';
import {
  startTestSmtpServer,
  type Reception,
  type TestSmtpServer,
} from '../../../packages/notifications/src/testing/testSmtpServer';

const MAIN = join(__dirname, '..', 'dist', 'main.js');
const RECIPIENTS = Array.from({ length: 20 }, (_, i) => String(100 + i));

interface Running {
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
}

/** The notifier as operators run it: its own OS process, sharing only DATA_DIR and the relay. */
function startNotifierProcess(dataDir: string, smtpUrl: string): Promise<Running> {
  const child = spawn(process.execPath, [MAIN], {
    env: {
      ...process.env,
      DATA_DIR: dataDir,
      SMTP_URL: smtpUrl,
      CONFIRMATION_SECRET: 'p'.repeat(32),
      PROJECTOR_POLL_INTERVAL_MS: '5',
      DELIVERY_POLL_INTERVAL_MS: '20',
      DELIVERY_LEASE_MS: '1000',
      DELIVERY_RETRY_BASE_MS: '50',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('notifier running')) resolve({ child, exited });
    });
    child.stderr!.on('data', () => undefined);
    void exited.then((code) => reject(new Error(`notifier exited with ${code}: ${out}`)));
  });
}

async function crash(running: Running): Promise<void> {
  running.child.kill('SIGKILL');
  await running.exited;
}

describe('notifier process: crashes lose nothing and duplicate nothing', () => {
  let dir: string;
  let store: EventStore;
  let smtp: TestSmtpServer;
  let beforeAccept: ((reception: Reception) => Promise<void>) | undefined;
  let running: Running | undefined;

  beforeAll(async () => {
    smtp = await startTestSmtpServer({ beforeAccept: (r) => beforeAccept?.(r) });
  });
  afterAll(() => smtp.close());

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'notifier-process-'));
    // Through the key store the process uses too (DATA_DIR/keys.db): personal data is sealed.
    store = protectMissiveEventStore(
      new SqliteEventStore({ path: join(dir, 'events.db') }),
      `sqlite:${join(dir, 'keys.db')}`,
    );
    await registerUser(store, '1', 'Ann Author');
    for (const id of RECIPIENTS) {
      await addChannel(store, {
        channelId: `9${id}`,
        userId: id,
        address: `student${id}@example.com`,
      });
    }
    await startConversation(store, {
      conversationId: '50',
      authorId: '1',
      participantIds: ['1', ...RECIPIENTS],
      subject: 'Course news',
    });
  });

  afterEach(async () => {
    if (running) {
      running.child.kill('SIGTERM');
      await running.exited;
      running = undefined;
    }
    beforeAccept = undefined;
    smtp.receptions.length = 0;
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const post = (messageId: string) =>
    addMessage(store, {
      conversationId: '50',
      messageId,
      authorId: '1',
      recipientIds: ['1', ...RECIPIENTS],
    });
  /** The SMTP Message-IDs of the emails a message must produce (one per recipient). */
  const expectedIdsOf = async (body: string) =>
    (await createdMessages(store))
      .filter((m) => m.data.body.startsWith(`${body}\n`))
      .map((m) => `<${m.data.outboundId}@missive>`);
  const received = () => smtp.receptions.map((r) => r.messageId!);
  const historyOf = (messageId: string) =>
    streamEvents(store, `outbound-${messageId.slice(1, -'@missive>'.length)}`);
  const allSent = async (messageIds: string[]) => {
    const histories = await Promise.all(messageIds.map(historyOf));
    return histories.every((h) => h.at(-1)?.type === 'OutboundMessageSent') && histories;
  };

  it('resumes after a crash between steps: every email once', async () => {
    running = await startNotifierProcess(dir, smtp.url);
    await post('701');
    await eventually(async () => new Set(received()).size === 20, '20 emails');
    // Between steps: every attempt is recorded, nothing is in flight.
    await eventually(async () => allSent(await expectedIdsOf('message 701')), 'all recorded sent');
    await crash(running);

    await post('702');
    await post('703');
    running = await startNotifierProcess(dir, smtp.url);
    await eventually(async () => new Set(received()).size === 60, '60 emails');

    const expected = [
      ...(await expectedIdsOf('message 701')),
      ...(await expectedIdsOf('message 702')),
      ...(await expectedIdsOf('message 703')),
    ];
    expect(expected).toHaveLength(60);
    expect([...received()].sort()).toEqual([...expected].sort());
  });

  it('after a crash mid-attempt, resends only interrupted attempts, with the same Message-ID', async () => {
    running = await startNotifierProcess(dir, smtp.url);
    const current = running;
    let killed = false;
    // The relay has the first email but the notifier dies before hearing "250 OK".
    beforeAccept = async () => {
      if (killed) return;
      killed = true;
      await crash(current);
      throw new Error('the sender is gone');
    };
    await post('801');
    await current.exited;
    expect(killed).toBe(true);
    beforeAccept = undefined;

    running = await startNotifierProcess(dir, smtp.url);
    const expected = await expectedIdsOf('message 801');
    expect(expected).toHaveLength(20);
    await eventually(
      async () => new Set(received()).size === 20,
      'all 20 emails after the restart',
    );
    expect(new Set(received())).toEqual(new Set(expected));

    const sent = await eventually(() => allSent(expected), 'every message recorded as sent');
    const interrupted = new Set(
      sent
        .filter((h: RecordedEvent[]) =>
          h.some((e) => (e.data as { error?: { code?: string } }).error?.code === 'interrupted'),
        )
        .map((h) => `<${(h[0]!.data as { outboundId: string }).outboundId}@missive>`),
    );
    expect(interrupted.size).toBeGreaterThan(0);
    const counts = new Map<string, number>();
    for (const id of received()) counts.set(id, (counts.get(id) ?? 0) + 1);
    for (const [id, count] of counts) {
      if (count > 1) expect(interrupted).toContain(id);
    }
    for (const h of sent) expect(h.filter((e) => e.type === 'OutboundMessageSent')).toHaveLength(1);
  });
});
