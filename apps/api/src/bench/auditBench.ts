import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { EventStore } from '@missive/event-store';
import { startApp } from '../app';
import { AppConfig, loadConfig } from '../config/appConfig';
import { EVENT_STORE } from '../infrastructure/tokens';

/**
 * The audit's `as_of` on a long conversation (issue #20: p99 under 100 ms for 5,000
 * messages), over HTTP on the embedded default store. The thread is started over HTTP and
 * grown by appending its messages straight to the log (as a migration would); each request
 * folds the log up to a time spread over the thread, the latest the whole of it.
 *   env: BENCH_AUDIT_MESSAGES (5000), BENCH_AUDIT_REQUESTS (300).
 */
const MESSAGES = Number(process.env.BENCH_AUDIT_MESSAGES ?? 5000);
const REQUESTS = Number(process.env.BENCH_AUDIT_REQUESTS ?? 300);
const ADMIN_TOKEN = `bench-admin-${randomUUID()}`;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'missive-audit-bench-'));
  const settings = {
    DATA_DIR: dir,
    PORT: '0',
    ADMIN_TOKEN,
    CONFIRMATION_SECRET: randomUUID() + randomUUID(),
    LOG_LEVEL: 'silent',
    RUN_NOTIFIER: 'false',
  };
  const running = await startApp(loadConfig(AppConfig, settings), {
    logger: false,
    env: settings,
  });
  try {
    const call = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${running.url}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${ADMIN_TOKEN}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text}`);
      return JSON.parse(text);
    };
    const users: string[] = [];
    for (const name of ['Ann Audit', 'Ben Audit']) {
      const user = await call('POST', '/api/v1/accounts/self/users', {
        user: { name },
        pseudonym: { unique_id: `${name.replace(' ', '.').toLowerCase()}` },
      });
      users.push(String(user.id));
    }
    const [ann, ben] = users as [string, string];
    const course = await call('POST', '/api/v1/accounts/self/courses', {
      course: { name: 'Audit bench' },
    });
    for (const userId of users) {
      await call('POST', `/api/v1/courses/${course.id}/enrollments`, {
        enrollment: { user_id: userId, enrollment_state: 'active' },
      });
    }
    const created = await call('POST', '/api/v1/conversations', {
      recipients: [ben],
      body: 'message 0',
      group_conversation: true,
      as_user_id: ann,
    });
    const conversationId = String(created[0].id);
    const store = running.app.get<EventStore>(EVENT_STORE);
    const start = Date.now();
    const times: string[] = [];
    const batch = 500;
    for (let i = 1; i < MESSAGES; i += batch) {
      const events = [];
      for (let j = i; j < Math.min(MESSAGES, i + batch); j++) {
        const author = j % 2 === 0 ? ann : ben;
        events.push({
          id: randomUUID(),
          type: 'MessageAdded',
          data: {
            conversationId,
            messageId: String(10_000_000 + j),
            authorId: author,
            body: `message ${j} `.repeat(8),
            createdAt: new Date(start + j).toISOString(),
            recipientIds: [ann, ben],
            generated: false,
            attachmentIds: [],
            mediaComment: null,
            forwardedMessageIds: [],
            updateForSender: true,
          },
          metadata: { actorUserId: author },
        });
      }
      await store.append(`conversation-${conversationId}`, events);
      times.push(new Date().toISOString());
    }
    await new Promise((r) => setTimeout(r, 5));
    const end = new Date().toISOString();
    const path = (at: string) =>
      `/api/v1/conversations/${conversationId}?as_of=${encodeURIComponent(at)}&as_user_id=${ben}`;
    const whole = await call('GET', path(end));
    if (whole.messages.length !== MESSAGES) {
      throw new Error(`as_of saw ${whole.messages.length} messages, expected ${MESSAGES}`);
    }
    // What a client waits for: the whole answer received (its parsing is the client's own).
    const receive = async (path: string) => {
      const res = await fetch(`${running.url}${path}`, {
        headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      });
      const text = await res.text();
      if (res.status !== 200) throw new Error(`GET ${path}: ${res.status} ${text.slice(0, 200)}`);
    };
    const measure = async (label: string, pathAt: (i: number) => string) => {
      for (let i = 0; i < 20; i++) await call('GET', pathAt(i)); // warm-up, answers parsed
      const latencies: number[] = [];
      const cpu = process.cpuUsage();
      for (let i = 0; i < REQUESTS; i++) {
        const t0 = performance.now();
        await receive(pathAt(i));
        latencies.push(performance.now() - t0);
      }
      const used = process.cpuUsage(cpu);
      latencies.sort((a, b) => a - b);
      const pct = (p: number) =>
        latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]!;
      console.log(
        `${label} on a ${MESSAGES}-message conversation, ${REQUESTS} sequential requests: ` +
          `p50 ${pct(50).toFixed(1)} ms, p95 ${pct(95).toFixed(1)} ms, p99 ${pct(99).toFixed(1)} ms, ` +
          `max ${latencies.at(-1)!.toFixed(1)} ms; CPU ${((used.user + used.system) / 1000 / REQUESTS).toFixed(1)} ms a request ` +
          `(server and client share this process; the CPU time is steadier than latency on a busy machine)`,
      );
    };
    // Mostly the whole thread (the worst case), some earlier moments.
    await measure('as_of', (i) => path(i % 4 === 0 ? times[i % times.length]! : end));
    // Show on the same thread from the read model, for comparison: the same JSON to render.
    const showPath = `/api/v1/conversations/${conversationId}?auto_mark_as_read=false&as_user_id=${ben}`;
    for (let i = 0; i < 600; i++) {
      if ((await call('GET', showPath)).messages.length === MESSAGES) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    await measure('show', () => showPath);
  } finally {
    await running.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
