import {
  IdGenerator,
  evolveConversationBatch,
  evolveProgress,
  claimConversationBatch,
  claimProgress,
  queueProgress,
  startConversationBatch,
  streams,
  type DomainEvent,
} from '@missive/domain';
import { toEventData } from '@missive/command-handling';
import { ADMIN_TOKEN, TestApp } from '../testing/testApp';

/**
 * Jobs left behind by a process that died (claimed, lease run out) are finished by the API's
 * own runner: its sweep finds them in the read models and resumes them, with no request.
 */
describe('the API resumes jobs a dead process left unfinished', () => {
  let app: TestApp;
  let ann: { id: number; token: string };
  let ben: { id: number; token: string };
  let conversationIds: string[];

  beforeAll(async () => {
    app = await TestApp.start({ JOB_LEASE_MS: '1000', JOB_SWEEP_INTERVAL_MS: '50' });
    ann = await app.createUser('Ann Able', 'ann');
    ben = await app.createUser('Ben Best', 'ben');
    await app.courseWith(ann.id, ben.id);
    conversationIds = [];
    for (const body of ['one', 'two']) {
      const res = await app.request('POST', '/api/v1/conversations', {
        token: ben.token,
        json: { recipients: [ann.id], body, group_conversation: true },
      });
      conversationIds.push(String(res.body[0].id));
    }
  });
  afterAll(async () => {
    await app.stop();
  });

  const ctx = (actor: string) => ({
    actorUserId: actor,
    correlationId: 'dead',
    causationId: 'dead',
  });
  /** As the dead process wrote it: the job and its claim, whose lease ran out long ago. */
  const deadClaim = { runner: 'dead-process', leaseMs: 1000, now: new Date(Date.now() - 60_000) };

  async function until<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
    for (let i = 0; i < 400; i++) {
      const value = await read();
      if (done(value)) return value;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error('the job was never finished');
  }

  it('finishes a batch update', async () => {
    const progressId = app.running.app.get(IdGenerator).next();
    const queued = queueProgress(null, {
      progressId,
      userId: String(ann.id),
      tag: 'conversation_batch_update',
      createdAt: new Date().toISOString(),
      batchUpdate: { conversationIds, event: 'star' },
    });
    const claimed = claimProgress(evolveProgress(null, queued[0]!), deadClaim);
    await append(streams.progress(progressId), [...queued, ...claimed], String(ann.id));

    const done = await until(
      async () =>
        (await app.request('GET', `/api/v1/progress/${progressId}`, { token: ann.token })).body,
      (p) => p.workflow_state === 'completed',
    );
    expect(done).toMatchObject({ completion: 100, message: '2 conversations processed' });
    const starred = await app.request('GET', '/api/v1/conversations?scope=starred', {
      token: ann.token,
    });
    expect(starred.body.map((c: { id: number }) => String(c.id)).sort()).toEqual(
      [...conversationIds].sort(),
    );
  });

  it('finishes an async conversation batch', async () => {
    const batchId = app.running.app.get(IdGenerator).next();
    const started = startConversationBatch(null, {
      batchId,
      userId: '1',
      recipientIds: [String(ann.id), String(ben.id)],
      group: false,
      subject: null,
      body: 'resumed hello',
      contextCode: null,
      mediaComment: null,
      tags: [],
      createdAt: new Date().toISOString(),
      resumable: true,
    });
    const claimed = claimConversationBatch(evolveConversationBatch(null, started[0]!), deadClaim);
    await append(streams.conversationBatch(batchId), [...started, ...claimed], '1');

    // An empty batch list alone proves nothing: it is empty too before the batch is projected.
    // Done means every recipient holds the message and no batch is left sending.
    for (const user of [ann, ben]) {
      const inbox = await until(
        async () =>
          (await app.request('GET', '/api/v1/conversations', { token: user.token })).body as {
            last_message: string;
          }[],
        (conversations) => conversations.some((c) => c.last_message === 'resumed hello'),
      );
      expect(inbox.filter((c) => c.last_message === 'resumed hello')).toHaveLength(1);
    }
    await until(
      async () =>
        (await app.request('GET', '/api/v1/conversations/batches', { token: ADMIN_TOKEN })).body,
      (batches: unknown[]) => batches.length === 0,
    );
  });

  async function append(stream: string, events: DomainEvent[], actor: string) {
    await app.store.append(
      stream,
      events.map((e) => toEventData(e, ctx(actor), new Date())),
      { expectedRevision: 'no_stream' },
    );
  }
});
