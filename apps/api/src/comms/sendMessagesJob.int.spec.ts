import { IdGenerator } from '@missive/domain';
import type { EventStore, RecordedEvent } from '@missive/event-store';
import { CommsQueries } from '@missive/read-models';
import type { AppConfig } from '../config/appConfig';
import { ReadYourWrites } from '../infrastructure/readYourWrites';
import { APP_CONFIG } from '../infrastructure/tokens';
import { JobRunner } from '../jobs/jobRunner';
import { SimulatedCrash, interruptedStore } from '../jobs/testing/interruptedStore';
import { TestApp } from '../testing/testApp';
import { SendMessagesCommand, SendMessagesHandler } from './sendMessagesHandler';
import { SendMessagesJob } from './sendMessagesJob';
import type { SendPlan } from './sendPlan';
import { COMMS_ENV, CommsClient, type Json } from './testing/commsClient';

const LEASE_MS = 60_000;
const RECIPIENTS = 300;

const plan: SendPlan = {
  recipients: RECIPIENTS + 1,
  unaddressable: 1,
  scheduledFor: null,
  tags: { campaign: 'resume' },
  text: 'Hi {{ n }}',
  media: [],
  messages: Array.from({ length: RECIPIENTS }, (_, i) => ({
    channel: 'phone' as const,
    to: `+1415555${String(i).padStart(4, '0')}`,
    from: '+15005550006',
    text: `Hi ${i}`,
    media: [],
    variables: { n: String(i) },
  })),
};

/**
 * A Comms send whose API process "dies" part-way through its fan-out answers nothing more, and
 * its operation stays PROCESSING until the lease runs out; then a fresh runner creates exactly
 * the messages still missing and completes it. Two runners on one operation create each
 * message once. The app's own sweeper is parked: only the runners under test run jobs.
 */
describe('SendMessagesJob: crash, resume, two runners', () => {
  let app: TestApp;
  let comms: CommsClient;

  beforeAll(async () => {
    app = await TestApp.start({ ...COMMS_ENV, JOB_SWEEP_INTERVAL_MS: '3600000' });
    comms = new CommsClient(app);
  });
  afterAll(async () => {
    await app.stop();
  });

  const get = <T>(token: abstract new (...args: never[]) => T) => app.running.app.get(token);

  function job(runner: string, store: EventStore = app.store, clockSkewMs = 0) {
    const lease = { runner, leaseMs: LEASE_MS, now: () => new Date(Date.now() + clockSkewMs) };
    return {
      lease,
      job: new SendMessagesJob({ store, ids: get(IdGenerator), comms: get(CommsQueries), lease }),
    };
  }

  /** POST /v1/Messages as the API runs it, over a store that may give out part-way. */
  async function send(runner: string, store: EventStore): Promise<string> {
    const { lease, job: sendJob } = job(runner, store);
    const errors: unknown[] = [];
    const jobs = new JobRunner({
      sweepIntervalMs: 3_600_000,
      retryDelayMs: LEASE_MS,
      onError: (_job, _id, error) => errors.push(error),
    });
    const handler = new SendMessagesHandler(
      store,
      get(ReadYourWrites),
      jobs,
      sendJob,
      lease,
      app.running.app.get<AppConfig>(APP_CONFIG),
    );
    const operationId = await handler.execute(
      new SendMessagesCommand(plan, new Date(), undefined, {
        actorUserId: null,
        correlationId: 'test',
        causationId: 'test',
      }),
    );
    expect(errors.every((e) => e instanceof SimulatedCrash)).toBe(true);
    return operationId;
  }

  async function outbound(operationId: string): Promise<RecordedEvent[]> {
    return (await app.allEvents()).filter(
      (e) =>
        e.type === 'OutboundMessageCreated' &&
        (e.data as { operationId: string | null }).operationId === operationId,
    );
  }

  const operation = (id: string) => comms.get(`/v1/Messages/Operations/comms_operation_${id}`);

  async function completed(id: string): Promise<Json> {
    for (let i = 0; i < 200; i++) {
      const res = await operation(id);
      if (res.body?.status === 'COMPLETED') return res.body;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error('operation never completed');
  }

  async function listed(id: string): Promise<Json[]> {
    const res = await comms.get(`/v1/Messages?operationId=comms_operation_${id}&pageSize=1000`);
    return res.body.messages;
  }

  it('completes an interrupted send with every message created exactly once', async () => {
    const crashing = interruptedStore(app.store, {
      streams: (s) => s.startsWith('outbound-'),
      limit: 120,
    });
    const operationId = await send('dies', crashing);

    const interrupted = await operation(operationId);
    expect(interrupted.body).toMatchObject({
      status: 'PROCESSING',
      stats: expect.objectContaining({ total: RECIPIENTS + 1 }),
    });
    const before = (await outbound(operationId)).length;
    expect(before).toBeGreaterThanOrEqual(120);
    expect(before).toBeLessThan(RECIPIENTS);

    // Within the lease the send is still the dead runner's.
    await job('fresh').job.resume(operationId);
    expect(await outbound(operationId)).toHaveLength(before);

    await job('fresh', app.store, LEASE_MS + 1000).job.resume(operationId);
    const created = await outbound(operationId);
    expect(created).toHaveLength(RECIPIENTS);
    const byTo = new Map(created.map((e) => [(e.data as { to: string }).to, e.data]));
    expect([...byTo.keys()].sort()).toEqual(plan.messages.map((m) => m.to).sort());
    plan.messages.forEach((m, i) =>
      expect(byTo.get(m.to)).toMatchObject({ body: `Hi ${i}`, tags: { campaign: 'resume' } }),
    );

    const done = await completed(operationId);
    expect(done.stats).toMatchObject({ total: RECIPIENTS + 1, unaddressable: 1 });
    expect(await listed(operationId)).toHaveLength(RECIPIENTS);
    const operationEvents = (await app.allEvents()).filter(
      (e) => e.streamId === `operation-${operationId}`,
    );
    expect(operationEvents.filter((e) => e.type === 'MessageOperationProcessed')).toHaveLength(1);
  });

  it('creates each message once when a stalled runner comes back after a takeover', async () => {
    let release!: () => void;
    let paused!: () => void;
    const isPaused = new Promise<void>((resolve) => (paused = resolve));
    const slow = interruptedStore(app.store, {
      streams: (s) => s.startsWith('outbound-'),
      limit: 50,
      onLimit: () => {
        paused();
        return new Promise<void>((resolve) => (release = resolve));
      },
    });
    const sending = send('stalls', slow);
    await isPaused;
    const [operationId] = (await app.allEvents())
      .filter((e) => e.type === 'MessageOperationCreated')
      .map((e) => (e.data as { operationId: string }).operationId)
      .slice(-1);
    // Two fresh runners at once: one takes the expired lease, the other finds it taken.
    await Promise.all([
      job('one', app.store, LEASE_MS + 1000).job.resume(operationId!),
      job('two', app.store, LEASE_MS + 1000).job.resume(operationId!),
    ]);
    release();
    expect(await sending).toBe(operationId);

    expect(await outbound(operationId!)).toHaveLength(RECIPIENTS);
    const claims = (await app.allEvents())
      .filter(
        (e) => e.streamId === `operation-${operationId}` && e.type === 'MessageOperationClaimed',
      )
      .map((e) => (e.data as { runner: string }).runner);
    expect(claims[0]).toBe('stalls');
    expect(claims.filter((r) => r !== 'stalls')).toHaveLength(1);
    expect(await completed(operationId!)).toMatchObject({ status: 'COMPLETED' });
    expect(await listed(operationId!)).toHaveLength(RECIPIENTS);
  });
});
