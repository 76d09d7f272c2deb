/**
 * Fan-out through the whole notifier on the embedded default: one message to a 500-member
 * course conversation becomes 500 outbound messages, each claimed, written to the sandbox and
 * recorded delivered. Times come from the event store's commit stamps (ms), so polling for
 * completion does not blur them. One JSON line per round, then a summary line.
 * Run: `npm run bench -w @missive/notifier` (turbo builds first).
 */
import type { DomainEvent } from '@missive/domain';
import {
  SqliteEventStore,
  type EventData,
  type Position,
  type RecordedEvent,
} from '@missive/event-store';
import { createDatabase, waitForCheckpoint } from '@missive/projections';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startNotifier } from '../startNotifier';
import type { Transport } from '../transports/transport';

const MEMBERS = Number(process.env['BENCH_FANOUT_MEMBERS'] ?? 500);
const ROUNDS = Number(process.env['BENCH_FANOUT_ROUNDS'] ?? 5);
const CONCURRENCY = Number(process.env['BENCH_DELIVERY_CONCURRENCY'] ?? 16);
/** `null`: a transport that accepts at once, to see the dispatcher's own cost. */
const TRANSPORT = process.env['BENCH_TRANSPORT'] === 'null' ? 'null' : 'sandbox';
const NULL_TRANSPORT: Transport = {
  name: 'null',
  send: async () => ({
    outcome: 'sent',
    providerMessageId: null,
    receipt: { status: 'delivered' },
  }),
};

function eventData(event: DomainEvent): EventData {
  const id = randomUUID();
  return {
    id,
    type: event.type,
    data: event.data,
    metadata: {
      eventId: id,
      correlationId: id,
      causationId: 'bench',
      actorUserId: '1',
      schemaVersion: 1,
    },
  };
}

interface RoundFigure {
  bench: string;
  transport: string;
  round: number;
  recipients: number;
  deliveryConcurrency: number;
  createdPerSec: number;
  deliveredPerSec: number;
  createMs: number;
  firstDeliveryMs: number;
  p50DeliveryMs: number;
  p95DeliveryMs: number;
  lastDeliveryMs: number;
  /** Process CPU per message (this bench's own polling included): steadier than rates on a busy machine. */
  cpuMsPerMessage: number;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function seed(store: SqliteEventStore, members: string[]): Promise<Position> {
  const at = new Date().toISOString();
  await store.append('user-1', [
    eventData({
      type: 'UserRegistered',
      data: {
        userId: '1',
        name: 'Teacher',
        shortName: 'Teacher',
        sortableName: 'Teacher',
        loginId: 't',
        siteAdmin: false,
        createdAt: at,
      },
    }),
  ]);
  await Promise.all(
    members.map((id) =>
      store.append(`channel-9${id}`, [
        eventData({
          type: 'ChannelAdded',
          data: {
            channelId: `9${id}`,
            userId: id,
            type: 'email',
            address: `student${id}@example.com`,
            position: 1,
            workflowState: 'active',
            confirmationNonce: null,
            createdAt: at,
          },
        }),
      ]),
    ),
  );
  const started = await store.append('conversation-1', [
    eventData({
      type: 'ConversationStarted',
      data: {
        conversationId: '1',
        authorId: '1',
        participantIds: ['1', ...members],
        subject: 'Course announcement',
        privateHash: null,
        contextCode: 'course_1',
        createdAt: at,
      },
    }),
  ]);
  return started.position;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'missive-fanout-bench-'));
  const store = new SqliteEventStore({ path: join(dir, 'events.db') });
  const db = createDatabase(`sqlite:${join(dir, 'read-models.db')}`);
  const members = Array.from({ length: MEMBERS }, (_, i) => String(1000 + i));
  try {
    const seeded = await seed(store, members);
    const notifier = await startNotifier({
      store,
      db,
      confirmationSecret: 'b'.repeat(32),
      dataDir: dir,
      pollIntervalMs: 20,
      deliveryConcurrency: CONCURRENCY,
      ...(TRANSPORT === 'null' ? { transports: { email: NULL_TRANSPORT } } : {}),
    });
    try {
      for (const runner of notifier.runners) {
        await waitForCheckpoint(db, runner.name, seeded, { timeoutMs: 60_000 });
      }
      const rounds: RoundFigure[] = [];
      let from: Position | 'start' = seeded;
      for (let round = 1; round <= ROUNDS; round++) {
        const cpuBefore = process.cpuUsage();
        const added = await store.append('conversation-1', [
          eventData({
            type: 'MessageAdded',
            data: {
              conversationId: '1',
              messageId: String(round),
              authorId: '1',
              body: `Announcement ${round}`,
              createdAt: new Date().toISOString(),
              recipientIds: ['1', ...members],
              generated: false,
              attachmentIds: [],
              mediaComment: null,
              forwardedMessageIds: [],
              updateForSender: true,
            },
          }),
        ]);
        const { created, delivered, next } = await collect(store, from, MEMBERS);
        from = next;
        const cpu = process.cpuUsage(cpuBefore);
        const t0 = (
          await eventAt(store, 'conversation-1', added.nextExpectedRevision)
        ).created.getTime();
        const createdAt = created.map((e) => e.created.getTime()).sort((a, b) => a - b);
        const latencies = delivered.map((e) => e.created.getTime() - t0).sort((a, b) => a - b);
        const createMs = Math.max(1, createdAt[createdAt.length - 1]! - t0);
        const totalMs = Math.max(1, latencies[latencies.length - 1]!);
        const figure: RoundFigure = {
          bench: 'notifier-fanout',
          transport: TRANSPORT,
          round,
          recipients: MEMBERS,
          deliveryConcurrency: CONCURRENCY,
          createdPerSec: Math.round((MEMBERS / createMs) * 1000),
          deliveredPerSec: Math.round((MEMBERS / totalMs) * 1000),
          createMs,
          firstDeliveryMs: latencies[0]!,
          p50DeliveryMs: percentile(latencies, 50),
          p95DeliveryMs: percentile(latencies, 95),
          lastDeliveryMs: totalMs,
          cpuMsPerMessage: +((cpu.user + cpu.system) / 1000 / MEMBERS).toFixed(3),
        };
        rounds.push(figure);
        console.log(JSON.stringify(figure));
      }
      const median = (key: keyof RoundFigure) =>
        percentile(
          rounds.map((r) => Number(r[key])).sort((a, b) => a - b),
          50,
        );
      console.log(
        JSON.stringify({
          bench: 'notifier-fanout-summary',
          transport: TRANSPORT,
          rounds: ROUNDS,
          recipients: MEMBERS,
          deliveryConcurrency: CONCURRENCY,
          medianCreatedPerSec: median('createdPerSec'),
          medianDeliveredPerSec: median('deliveredPerSec'),
          medianFirstDeliveryMs: median('firstDeliveryMs'),
          medianP50DeliveryMs: median('p50DeliveryMs'),
          medianLastDeliveryMs: median('lastDeliveryMs'),
          medianCpuMsPerMessage: median('cpuMsPerMessage'),
        }),
      );
    } finally {
      await notifier.stop();
    }
  } finally {
    await db.destroy();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Reads the log forward until `count` messages were created and as many delivered. */
async function collect(
  store: SqliteEventStore,
  from: Position | 'start',
  count: number,
): Promise<{ created: RecordedEvent[]; delivered: RecordedEvent[]; next: Position | 'start' }> {
  const created: RecordedEvent[] = [];
  const delivered: RecordedEvent[] = [];
  let next = from;
  const deadline = Date.now() + 120_000;
  while (created.length < count || delivered.length < count) {
    if (Date.now() > deadline) throw new Error('fan-out did not complete in 2 minutes');
    for await (const e of store.readAll({
      fromPosition: next,
      filter: { eventTypes: ['OutboundMessageCreated', 'OutboundMessageDelivered'] },
    })) {
      (e.type === 'OutboundMessageCreated' ? created : delivered).push(e);
      next = e.position;
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return { created, delivered, next };
}

/** Read back through its stream: positions are opaque, so no arithmetic on them. */
async function eventAt(
  store: SqliteEventStore,
  stream: string,
  revision: number,
): Promise<RecordedEvent> {
  for await (const e of store.readStream(stream, { fromRevision: revision, maxCount: 1 })) {
    return e;
  }
  throw new Error('appended event not found');
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
