import { SqliteEventStore } from '@missive/event-store';
import { join } from 'node:path';
import { ApiProcesses, retryPast409, type ApiProcess } from '../testing/apiProcesses';
import { COMMS_ACCOUNT_ID, COMMS_AUTH_TOKEN, basic } from './testing/commsClient';

const RECIPIENTS = 10_000;
/** The fan-out is killed once this many messages are written: well under way, far from done. */
const CRASH_AFTER = 1_000;
const AUTH = { authorization: basic(COMMS_ACCOUNT_ID, COMMS_AUTH_TOKEN) };

/**
 * The built API killed (SIGKILL: no shutdown hook runs) in the middle of a 10,000-recipient
 * send, at a fixed step (MISSIVE_CRASH_AT: after its 1,000th message), then started again on
 * the same data directory: its job runner finds the operation still PROCESSING, waits out the
 * dead process's lease and creates the messages still missing. Counted in the event log
 * itself: every recipient has exactly one message.
 */
describe('a Comms send interrupted by a crash of the API process', () => {
  let apis: ApiProcesses;

  beforeEach(() => {
    apis = ApiProcesses.inTempDir('missive-comms-crash-', {
      COMMS_ACCOUNT_ID,
      COMMS_AUTH_TOKEN,
      COMMS_RATE_LIMIT_PER_SEC: '100000',
      COMMS_RATE_LIMIT_BURST: '100000',
      JOB_LEASE_MS: '1000',
      JOB_SWEEP_INTERVAL_MS: '100',
      IDEMPOTENCY_LEASE_MS: '1000',
    });
  });
  afterEach(() => apis.remove());

  async function operations(
    api: ApiProcess,
  ): Promise<{ id: string; status: string; stats: Record<string, number> }[]> {
    const res = await fetch(`${api.url}/v1/Messages/Operations`, { headers: AUTH });
    return ((await res.json()) as { operations: never[] }).operations;
  }

  /** The recipients of the operation's messages, after checking each got its own text. */
  async function createdMessages(operationId: string): Promise<string[]> {
    const to: string[] = [];
    for (const event of await apis.events('OutboundMessageCreated')) {
      const data = event.data as { operationId?: string; to?: string; body?: string };
      if (data.operationId === operationId) {
        expect(data.body).toBe(`Hello ${variableOf(Number(data.to!.slice(5)))}`);
        to.push(data.to!);
      }
    }
    return to;
  }

  async function fanOutParts(operationId: string): Promise<number> {
    const store = new SqliteEventStore({ path: join(apis.dir, 'events.db') });
    let parts = 0;
    try {
      for await (const event of store.readStream(`operationfanout-${operationId}`)) {
        if (event.type === 'MessageOperationFanOutPart') parts += 1;
      }
    } finally {
      await store.close();
    }
    return parts;
  }

  // Generous: a loaded shared machine takes minutes over 20,000 appends; nothing here is timed.
  jest.setTimeout(300_000);

  // Long enough that the send's messages outgrow one append (1 MiB, EventStoreDB's default, which
  // the embedded store enforces too): they are written in parts before the operation, and a
  // resumed fan-out must join them back in order.
  const variableOf = (i: number) => `${i}:${'v'.repeat(200)}`;
  const body = {
    to: Array.from({ length: RECIPIENTS }, (_, i) => ({
      address: `+1415${String(i).padStart(7, '0')}`,
      channel: 'PHONE',
      variables: { n: variableOf(i) },
    })),
    content: { text: 'Hello {{ n }}' },
  };
  const post = (api: ApiProcess, headers: Record<string, string> = {}) =>
    fetch(`${api.url}/v1/Messages`, {
      method: 'POST',
      headers: { ...AUTH, 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });

  /** Starts the send and lets the API kill itself mid-fan-out; the id of the operation it left. */
  async function crashMidSend(headers: Record<string, string> = {}): Promise<string> {
    await apis.crashAt(`comms-send:message-created#${CRASH_AFTER}`, (api) => post(api, headers));
    const created = await apis.events('MessageOperationCreated');
    expect(created).toHaveLength(1);
    return (created[0]!.data as { operationId: string }).operationId;
  }

  it('answers a retry with the same Idempotency-Key with the interrupted send, sending nothing twice', async () => {
    const key = { 'Idempotency-Key': 'campaign-2026-11-23' };
    const id = await crashMidSend(key);
    const before = await createdMessages(id);
    expect(before.length).toBeGreaterThanOrEqual(CRASH_AFTER);
    expect(before.length).toBeLessThan(RECIPIENTS);

    const second = await apis.start();
    // The dead attempt's claim on the key frees after IDEMPOTENCY_LEASE_MS; until then a retry
    // is told the first is still being answered.
    const retry = await retryPast409(() => post(second, key));
    expect(retry.status).toBe(202);
    const operationId = `comms_operation_${id}`;
    expect(((await retry.json()) as { operationId: string }).operationId).toBe(operationId);

    let ops: { id: string; status: string }[] = [];
    for (let i = 0; i < 3000; i++) {
      ops = await operations(second);
      if (ops.every((op) => op.status === 'COMPLETED')) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(ops.map((op) => [op.id, op.status])).toEqual([[operationId, 'COMPLETED']]);
    await apis.stopAll();
    const sent = await createdMessages(id);
    expect(await fanOutParts(id)).toBeGreaterThan(1);
    expect(sent).toHaveLength(RECIPIENTS);
    expect(new Set(sent).size).toBe(RECIPIENTS);
  });

  it('completes after a restart with one message per recipient', async () => {
    const id = await crashMidSend();
    const before = await createdMessages(id);
    expect(before.length).toBeGreaterThanOrEqual(CRASH_AFTER);
    expect(before.length).toBeLessThan(RECIPIENTS);

    const second = await apis.start();
    let op: { status: string; stats: Record<string, number> } | undefined;
    for (let i = 0; i < 3000; i++) {
      const res = await fetch(`${second.url}/v1/Messages/Operations/comms_operation_${id}`, {
        headers: AUTH,
      });
      op = (await res.json()) as typeof op;
      if (op?.status === 'COMPLETED') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(op).toMatchObject({ status: 'COMPLETED', stats: { total: RECIPIENTS } });
    await apis.stopAll();

    const after = await createdMessages(id);
    expect(after).toHaveLength(RECIPIENTS);
    expect(new Set(after).size).toBe(RECIPIENTS);
  });
});
