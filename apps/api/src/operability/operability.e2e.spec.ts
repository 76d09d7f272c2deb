import { ADMIN_TOKEN, TestApp } from '../testing/testApp';

function metricValue(text: string, name: string, labels: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}}`));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
}

describe('operability endpoints', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await TestApp.start();
  });
  afterAll(() => app.stop());

  it('is ready when the stores answer and the projections are caught up', async () => {
    await app.createUser('Ada', 'ada@example.com');
    const reply = await app.request('GET', '/ready');
    expect(reply.status).toBe(200);
    expect(reply.body.status).toBe('ok');
    expect(reply.body.details.eventStore.status).toBe('up');
    expect(reply.body.details.readModels.status).toBe('up');
    expect(reply.body.details.projections).toMatchObject({
      status: 'up',
      conversations: { lag: expect.any(Number), parked: 0 },
    });
  });

  it('exports HTTP latency by route template, appends, and projection lag', async () => {
    const before = await app.request('GET', '/metrics');
    const appendsBefore = metricValue(
      before.text,
      'missive_event_appends_total',
      'outcome="written"',
    );
    const user = await app.createUser('Bob', 'bob@example.com');
    await app.request('GET', `/api/v1/users/${user.id}/communication_channels`, {
      token: ADMIN_TOKEN,
    });
    const after = await app.request('GET', '/metrics');

    expect(after.status).toBe(200);
    expect(after.headers.get('content-type')).toContain('text/plain');
    expect(
      metricValue(after.text, 'missive_event_appends_total', 'outcome="written"'),
    ).toBeGreaterThan(appendsBefore);
    expect(after.text).toContain(
      'missive_http_request_duration_seconds_count{method="GET",route="/api/v1/users/:user_id/communication_channels",status="200"} 1',
    );
    expect(after.text).toMatch(/missive_projection_lag\{projection="conversations"\} \d+/);
    expect(after.text).toMatch(/missive_projection_parked_events\{projection="users"\} 0/);
    expect(after.text).toContain('missive_process_cpu_seconds_total');
  });

  it('carries the request id into the answer and into the metadata of the events written', async () => {
    const reply = await app.request('POST', '/api/v1/accounts/self/users', {
      token: ADMIN_TOKEN,
      form: { 'user[name]': 'Cy', 'pseudonym[unique_id]': 'cy@example.com' },
      headers: { 'x-request-id': 'req-cy-0001' },
    });
    expect(reply.status).toBe(200);
    expect(reply.headers.get('x-request-id')).toBe('req-cy-0001');
    const written = (await app.allEvents()).filter(
      (e) => e.metadata['correlationId'] === 'req-cy-0001',
    );
    expect(written.map((e) => e.type)).toContain('UserRegistered');
  });
});

describe('readiness with a projection behind', () => {
  let app: TestApp;

  beforeAll(async () => {
    // No in-process projectors: nothing moves the checkpoints, so any write leaves them behind.
    app = await TestApp.start({ RUN_PROJECTORS: 'false', READY_MAX_LAG: '0' });
  });
  afterAll(() => app.stop());

  it('answers 503 naming the projections that trail the log', async () => {
    await app.store.append('group-999', [
      {
        id: '00000000-0000-4000-8000-000000000999',
        type: 'GroupCreated',
        data: { groupId: '999', name: 'Readers', createdAt: '2026-11-23T10:00:00.000Z' },
        metadata: { schemaVersion: 1 },
      },
    ]);
    const reply = await app.request('GET', '/ready');
    expect(reply.status).toBe(503);
    expect(reply.body.status).toBe('error');
    expect(reply.body.error.projections).toMatchObject({
      status: 'down',
      behind: expect.arrayContaining(['conversations', 'channels']),
      maxLag: 0,
    });
  });
});
