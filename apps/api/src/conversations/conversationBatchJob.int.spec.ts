import { AggregateCache } from '@missive/command-handling';
import { IdGenerator, startConversationBatch, streams } from '@missive/domain';
import { type EventStore, type RecordedEvent } from '@missive/event-store';
import { toEventData } from '@missive/command-handling';
import { ConversationBatchQueries } from '@missive/read-models';
import { ReadYourWrites } from '../infrastructure/readYourWrites';
import { SimulatedCrash, interruptedStore } from '../jobs/testing/interruptedStore';
import { ADMIN_TOKEN, TestApp } from '../testing/testApp';
import { ContextTagger } from './contextTagger';
import { ConversationBatchJob } from './conversationBatchJob';
import { ConversationWriter } from './conversationWriter';

const LEASE_MS = 60_000;
const ADMIN_ID = '1';

/**
 * An async conversation batch interrupted part-way is finished by a fresh runner once the
 * lease has run out, with one message per recipient; a runner that stalls and comes back after
 * a takeover adds nothing. Jobs run over the app's stores with its sweeper parked.
 */
describe('ConversationBatchJob: crash, resume, two runners', () => {
  let app: TestApp;
  let users: { id: number; token: string }[];

  beforeAll(async () => {
    app = await TestApp.start({ JOB_SWEEP_INTERVAL_MS: '3600000' });
    users = [];
    for (let i = 0; i < 12; i++) users.push(await app.createUser(`User ${i}`, `user${i}`));
    // The admin already has a private conversation with the first user: the batch reuses it.
    const first = await app.request('POST', '/api/v1/conversations', {
      token: ADMIN_TOKEN,
      json: { recipients: [users[0]!.id], body: 'earlier' },
    });
    expect(first.status).toBe(201);
  });
  afterAll(async () => {
    await app.stop();
  });

  const get = <T>(token: abstract new (...args: never[]) => T) => app.running.app.get(token);

  function job(runner: string, store: EventStore = app.store, clockSkewMs = 0) {
    const readYourWrites = get(ReadYourWrites);
    const ids = get(IdGenerator);
    return new ConversationBatchJob({
      store,
      ids,
      writer: new ConversationWriter(store, ids, get(ContextTagger), get(AggregateCache)),
      batches: get(ConversationBatchQueries),
      lease: { runner, leaseMs: LEASE_MS, now: () => new Date(Date.now() + clockSkewMs) },
      waitForConversations: (position) => readYourWrites.waitFor('conversations', position),
      stepSize: 4,
    });
  }

  /** Records a batch as the API does, without its claim: only the runners under test run it. */
  async function queue(body: string, group: boolean): Promise<string> {
    const batchId = get(IdGenerator).next();
    const [started] = startConversationBatch(null, {
      batchId,
      userId: ADMIN_ID,
      recipientIds: users.map((u) => String(u.id)),
      group,
      subject: null,
      body,
      contextCode: null,
      mediaComment: null,
      tags: [],
      createdAt: new Date().toISOString(),
      resumable: true,
    });
    const ctx = { actorUserId: ADMIN_ID, correlationId: 'test', causationId: 'test' };
    await app.store.append(
      streams.conversationBatch(batchId),
      [toEventData(started!, ctx, new Date())],
      { expectedRevision: 'no_stream' },
    );
    return batchId;
  }

  async function messages(body: string): Promise<RecordedEvent[]> {
    return (await app.allEvents()).filter(
      (e) => e.type === 'MessageAdded' && (e.data as { body: string }).body === body,
    );
  }

  /** Each user's conversations that hold this message, from the user's own inbox. */
  async function inboxes(body: string): Promise<number[]> {
    const counts: number[] = [];
    for (const user of users) {
      const inbox = await app.request('GET', '/api/v1/conversations?per_page=100', {
        token: user.token,
      });
      counts.push(
        inbox.body.filter((c: { last_message: string }) => c.last_message === body).length,
      );
    }
    return counts;
  }

  async function batchEvents(batchId: string): Promise<RecordedEvent[]> {
    return (await app.allEvents()).filter((e) => e.streamId === streams.conversationBatch(batchId));
  }

  it('finishes after a crash part-way, one message per recipient', async () => {
    const batchId = await queue('private hello', false);
    const crashing = interruptedStore(app.store, {
      // A crash between a private-conversation claim and the conversation it names.
      streams: (s) => s.startsWith('conversation-'),
      limit: 6,
    });
    await expect(job('dies', crashing).resume(batchId)).rejects.toBeInstanceOf(SimulatedCrash);
    expect((await messages('private hello')).length).toBe(6);

    await job('fresh').resume(batchId); // within the lease: not its to run
    expect((await messages('private hello')).length).toBe(6);

    await job('fresh', app.store, LEASE_MS + 1000).resume(batchId);
    const sent = await messages('private hello');
    expect(sent).toHaveLength(users.length);
    const recipients = sent.map((e) =>
      (e.data as { recipientIds: string[] }).recipientIds.filter((id) => id !== ADMIN_ID),
    );
    expect(recipients.flat().sort()).toEqual(users.map((u) => String(u.id)).sort());

    const events = await batchEvents(batchId);
    const finished = events.filter((e) => e.type === 'ConversationBatchFinished');
    expect(finished.map((e) => e.data)).toEqual([
      expect.objectContaining({ workflowState: 'sent' }),
    ]);
    const conversationIds = (finished[0]!.data as { conversationIds: string[] }).conversationIds;
    expect(new Set(conversationIds).size).toBe(users.length);
    expect([...conversationIds].sort()).toEqual(
      sent.map((e) => (e.data as { conversationId: string }).conversationId).sort(),
    );
    // The first user's existing private conversation got the message: no second one.
    const started = (await app.allEvents()).filter((e) => e.type === 'ConversationStarted');
    expect(started).toHaveLength(users.length);

    expect(await inboxes('private hello')).toEqual(users.map(() => 1));
    const batches = await app.request('GET', '/api/v1/conversations/batches', {
      token: ADMIN_TOKEN,
    });
    expect(batches.body).toEqual([]);
  });

  it('never sends twice when a runner thought dead comes back after a takeover', async () => {
    const batchId = await queue('group hello', true);
    let release!: () => void;
    let paused!: () => void;
    const isPaused = new Promise<void>((resolve) => (paused = resolve));
    const slow = interruptedStore(app.store, {
      streams: (s) => s.startsWith('conversation-'),
      limit: 5,
      onLimit: () => {
        paused();
        return new Promise<void>((resolve) => (release = resolve));
      },
    });
    const stalled = job('stalls', slow).resume(batchId);
    await isPaused;
    await Promise.all([
      job('one', app.store, LEASE_MS + 1000).resume(batchId),
      job('two', app.store, LEASE_MS + 1000).resume(batchId),
    ]);
    release();
    await stalled;

    expect(await messages('group hello')).toHaveLength(users.length);
    const events = await batchEvents(batchId);
    expect(events.filter((e) => e.type === 'ConversationBatchFinished')).toHaveLength(1);
    const claims = events
      .filter((e) => e.type === 'ConversationBatchClaimed')
      .map((e) => (e.data as { runner: string }).runner);
    expect(claims).toEqual(['stalls', expect.stringMatching(/^(one|two)$/)]);
    const offsets = events
      .filter((e) => e.type === 'ConversationBatchAdvanced')
      .map((e) => (e.data as { offset: number }).offset);
    expect(offsets).toEqual([0, 4, 8]);
    expect(await inboxes('group hello')).toEqual(users.map(() => 1));
  });
});
