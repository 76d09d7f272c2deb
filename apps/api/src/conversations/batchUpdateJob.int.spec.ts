import { IdGenerator, queueProgress, streams, type BatchUpdateAction } from '@missive/domain';
import { type EventStore, type RecordedEvent } from '@missive/event-store';
import { toEventData } from '@missive/command-handling';
import { ConversationQueries, ProgressQueries } from '@missive/read-models';
import { ReadYourWrites } from '../infrastructure/readYourWrites';
import { SimulatedCrash, interruptedStore } from '../jobs/testing/interruptedStore';
import { TestApp } from '../testing/testApp';
import { BatchUpdateJob } from './batchUpdateJob';

const LEASE_MS = 60_000;

/**
 * A batch update interrupted part-way (its runner "dies" between two appends) is finished by a
 * fresh runner once the lease has run out, and two runners on one job never write a step twice.
 * The jobs run here over the app's own stores; the app's sweeper is parked so that only the
 * runners under test touch them.
 */
describe('BatchUpdateJob: crash, resume, two runners', () => {
  let app: TestApp;
  let ann: { id: number; token: string };
  let mine: string[];
  const foreign = ['999991', '999992'];

  beforeAll(async () => {
    app = await TestApp.start({ JOB_SWEEP_INTERVAL_MS: '3600000' });
    ann = await app.createUser('Ann Able', 'ann');
    const ben = await app.createUser('Ben Best', 'ben');
    await app.courseWith(ann.id, ben.id);
    mine = [];
    for (let i = 0; i < 23; i++) {
      const res = await app.request('POST', '/api/v1/conversations', {
        token: ben.token,
        json: { recipients: [ann.id], body: `message ${i}`, group_conversation: true },
      });
      mine.push(String(res.body[0].id));
    }
  });
  afterAll(async () => {
    await app.stop();
  });

  const get = <T>(token: abstract new (...args: never[]) => T) => app.running.app.get(token);

  function job(runner: string, store: EventStore = app.store, clockSkewMs = 0) {
    const readYourWrites = get(ReadYourWrites);
    return new BatchUpdateJob({
      store,
      conversations: get(ConversationQueries),
      progress: get(ProgressQueries),
      lease: { runner, leaseMs: LEASE_MS, now: () => new Date(Date.now() + clockSkewMs) },
      waitForConversations: (position) => readYourWrites.waitFor('conversations', position),
      stepSize: 5,
    });
  }

  /** Queues a job as the API does, without its claim: only the runners under test run it. */
  async function queue(event: BatchUpdateAction): Promise<string> {
    const progressId = get(IdGenerator).next();
    const ctx = { actorUserId: String(ann.id), correlationId: 'test', causationId: 'test' };
    const [queued] = queueProgress(null, {
      progressId,
      userId: String(ann.id),
      tag: 'conversation_batch_update',
      createdAt: new Date().toISOString(),
      batchUpdate: {
        conversationIds: [...mine.slice(0, 12), ...foreign, ...mine.slice(12)],
        event,
      },
    });
    await app.store.append(streams.progress(progressId), [toEventData(queued!, ctx, new Date())], {
      expectedRevision: 'no_stream',
    });
    return progressId;
  }

  async function events(prefix: string, type?: string): Promise<RecordedEvent[]> {
    return (await app.allEvents()).filter(
      (e) => e.streamId.startsWith(prefix) && (type === undefined || e.type === type),
    );
  }

  const annViews = () => `participant-`;
  const isAnns = (e: RecordedEvent) => e.streamId.endsWith(`-${ann.id}`);

  async function progressOf(progressId: string) {
    for (let i = 0; i < 200; i++) {
      const res = await app.request('GET', `/api/v1/progress/${progressId}`, { token: ann.token });
      if (['completed', 'failed'].includes(res.body.workflow_state)) return res.body;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error('progress never finished');
  }

  it('finishes after a crash part-way, with every conversation changed exactly once', async () => {
    const progressId = await queue('star');
    const crashing = interruptedStore(app.store, {
      streams: (s) => s.startsWith('participant-'),
      limit: 11, // two steps of 5 recorded, the third (3 of its 5 ids are Ann's) cut short
    });
    await expect(job('dies', crashing).resume(progressId)).rejects.toBeInstanceOf(SimulatedCrash);

    const before = await events(streams.progress(progressId));
    expect(before.map((e) => e.type)).toEqual([
      'ProgressQueued',
      'ProgressClaimed',
      'ProgressAdvanced',
      'ProgressAdvanced',
    ]);
    const starredBefore = (await events(annViews(), 'ConversationStarred')).filter(isAnns);
    // The step's appends run side by side: the one let through may still be landing.
    expect(starredBefore.length).toBeGreaterThanOrEqual(10);
    expect(starredBefore.length).toBeLessThanOrEqual(11);

    // Within the lease the job is still the dead runner's: a fresh runner leaves it alone.
    await job('fresh').resume(progressId);
    expect(await events(streams.progress(progressId))).toHaveLength(4);

    // Past the lease it is taken over and finished.
    await job('fresh', app.store, LEASE_MS + 1000).resume(progressId);
    const after = await events(streams.progress(progressId));
    expect(after.filter((e) => e.type === 'ProgressCompleted')).toHaveLength(1);
    expect(after.filter((e) => e.type === 'ProgressClaimed').map((e) => e.data)).toEqual([
      expect.objectContaining({ runner: 'dies', attempt: 1 }),
      expect.objectContaining({ runner: 'fresh', attempt: 2 }),
    ]);
    const offsets = after
      .filter((e) => e.type === 'ProgressAdvanced')
      .map((e) => (e.data as { offset: number }).offset);
    expect(offsets).toEqual([0, 5, 10, 15, 20]);

    const starred = (await events(annViews(), 'ConversationStarred')).filter(isAnns);
    expect(starred.map((e) => e.streamId).sort()).toEqual(
      mine.map((id) => streams.participant(id, String(ann.id))).sort(),
    );

    const done = await progressOf(progressId);
    expect(done).toMatchObject({ workflow_state: 'completed', completion: 100 });
    expect(done.message).toBe(
      [
        `${mine.length} conversations processed`,
        ...foreign.map((id) => `Error updating conversation ${id}: not participating`),
      ].join('\n'),
    );
    const list = await app.request('GET', '/api/v1/conversations?scope=starred&per_page=100', {
      token: ann.token,
    });
    expect(list.body.map((c: { id: number }) => String(c.id)).sort()).toEqual([...mine].sort());
  });

  it('lets one of two runners started together claim the job', async () => {
    const progressId = await queue('archive');
    await Promise.all([job('one').resume(progressId), job('two').resume(progressId)]);
    const progress = await events(streams.progress(progressId));
    expect(progress.filter((e) => e.type === 'ProgressClaimed')).toHaveLength(1);
    expect(progress.filter((e) => e.type === 'ProgressCompleted')).toHaveLength(1);
    const archived = (await events(annViews(), 'ConversationArchived')).filter(isAnns);
    expect(archived).toHaveLength(mine.length);
  });

  it('never writes a step twice when a runner thought dead comes back after a takeover', async () => {
    const progressId = await queue('unstar');
    let release!: () => void;
    let paused!: () => void;
    const isPaused = new Promise<void>((resolve) => (paused = resolve));
    const slow = interruptedStore(app.store, {
      streams: (s) => s.startsWith('participant-'),
      limit: 7, // mid-step: the runner stalls (a long GC pause, a partition) with its lease
      onLimit: () => {
        paused();
        return new Promise<void>((resolve) => (release = resolve));
      },
    });
    const stalled = job('stalls', slow).resume(progressId);
    await isPaused;
    await job('takes-over', app.store, LEASE_MS + 1000).resume(progressId);
    release();
    await stalled; // its next record finds the lease gone and stops

    const progress = await events(streams.progress(progressId));
    expect(progress.filter((e) => e.type === 'ProgressCompleted')).toHaveLength(1);
    const offsets = progress
      .filter((e) => e.type === 'ProgressAdvanced')
      .map((e) => (e.data as { offset: number }).offset);
    expect(offsets).toEqual([...new Set(offsets)]);
    const unstarred = (await events(annViews(), 'ConversationUnstarred')).filter(isAnns);
    expect(unstarred.map((e) => e.streamId).sort()).toEqual(
      mine.map((id) => streams.participant(id, String(ann.id))).sort(),
    );
    expect((await progressOf(progressId)).workflow_state).toBe('completed');
  });
});
