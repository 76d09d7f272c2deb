import {
  MAX_DELIVERY_ATTEMPTS,
  cancelOutboundMessage,
  createOutboundMessage,
  evolveOutboundMessage,
  newUlid,
  recordAttemptFailed,
  recordBounce,
  recordDelivered,
  recordSent,
  recordUndelivered,
  startDispatch,
  type OutboundEvent,
  type OutboundMessageCreated,
  type OutboundMessageState,
} from '@missive/domain';
import { systemContext, toEventData } from '@missive/command-handling';
import { waitForCheckpoint } from '@missive/projections';
import type { SchemalessDb } from '@missive/read-models';
import { READ_DB } from '../infrastructure/tokens';
import { ADMIN_TOKEN, TestApp } from '../testing/testApp';

type Step = (state: OutboundMessageState | null) => OutboundEvent[];

const DAY = 24 * 60 * 60 * 1000;
/** Whole seconds, an hour ago: the times below are days before it, all within the last year. */
const BASE = Math.floor((Date.now() - 60 * 60 * 1000) / 1000) * 1000;
const daysAgo = (days: number, ms = 0) => new Date(BASE - days * DAY + ms);
const wire = (time: Date) => time.toISOString().replace(/\.\d+Z$/, 'Z');

const dispatched =
  (at: Date): Step =>
  (s) =>
    startDispatch(s, { transport: 'sandbox', startedAt: at.toISOString() });
const sentAt =
  (at: Date): Step =>
  (s) =>
    recordSent(s, { providerMessageId: `sandbox-${at.getTime()}`, sentAt: at.toISOString() });
const sentOk = (at: Date): Step[] => [dispatched(at), sentAt(at)];

describe('CommMessages over HTTP', () => {
  let app: TestApp;
  let nextMessageId = 5000;

  beforeAll(async () => {
    app = await TestApp.start();
  });
  afterAll(async () => {
    await app.stop();
  });

  /**
   * What the notifier will do: decide an outbound message's events with the real aggregate and
   * append them to its stream; then wait until the projection serving the list has them.
   */
  async function outbound(
    userId: number,
    createdAt: Date,
    steps: Step[] = [],
    overrides: Partial<OutboundMessageCreated['data']> = {},
  ): Promise<number> {
    const messageId = nextMessageId++;
    const outboundId = newUlid(createdAt);
    const data: OutboundMessageCreated['data'] = {
      outboundId,
      messageId: String(messageId),
      kind: 'conversation_message',
      userId: String(userId),
      channelId: '77',
      channel: 'email',
      to: `user${userId}@example.com`,
      from: 'notifications@missive.test',
      fromName: 'Missive',
      replyTo: `reply+${messageId}@missive.test`,
      subject: `Subject ${messageId}`,
      body: `Body ${messageId}`,
      htmlBody: `<p>Body ${messageId}</p>`,
      media: [],
      conversationId: '12',
      operationId: null,
      tags: {},
      scheduledFor: null,
      cause: { eventId: `cause-${messageId}`, streamId: 'conversation-12', type: 'MessageAdded' },
      suppressed: false,
      createdAt: createdAt.toISOString(),
      ...overrides,
    };
    let state: OutboundMessageState | null = null;
    const events: OutboundEvent[] = [];
    for (const step of [
      (s: OutboundMessageState | null) => createOutboundMessage(s, data),
      ...steps,
    ]) {
      for (const event of step(state)) {
        state = evolveOutboundMessage(state, event);
        events.push(event);
      }
    }
    const ctx = systemContext('comm-messages-e2e');
    const { position } = await app.store.append(
      `outbound-${outboundId}`,
      events.map((e) => toEventData(e, ctx, createdAt)),
      { expectedRevision: 'no_stream' },
    );
    const db = app.running.app.get<SchemalessDb>(READ_DB);
    const caughtUp = await waitForCheckpoint(db, 'outbound-messages', position, {
      timeoutMs: 20_000,
    });
    if (!caughtUp) throw new Error('outbound-messages projection did not catch up');
    return messageId;
  }

  const list = (query: string, token = ADMIN_TOKEN) =>
    app.request('GET', `/api/v1/comm_messages${query}`, { token });
  const ids = (body: { id: number }[]) => body.map((m) => m.id);

  it('shows a site admin the messages sent to a user, in Canvas’s CommMessage JSON', async () => {
    const jane = await app.createUser('Jane Doe', 'jane-cm');
    const created = daysAgo(3, 250);
    const sent = daysAgo(3, 1750);
    const id = await outbound(jane.id, created, sentOk(sent));

    const res = await list(`?user_id=${jane.id}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual([
      {
        id,
        created_at: wire(created),
        sent_at: wire(sent),
        workflow_state: 'sent',
        from: 'notifications@missive.test',
        from_name: 'Missive',
        to: `user${jane.id}@example.com`,
        reply_to: `reply+${id}@missive.test`,
        subject: `Subject ${id}`,
        body: `Body ${id}`,
        html_body: `<p>Body ${id}</p>`,
      },
    ]);
    expect(Object.keys(res.body[0])).toEqual([
      'id',
      'created_at',
      'sent_at',
      'workflow_state',
      'from',
      'from_name',
      'to',
      'reply_to',
      'subject',
      'body',
      'html_body',
    ]);
  });

  it('refuses everyone but site admins with Canvas’s 401, the user themself included', async () => {
    const jane = await app.createUser('Jane Roe', 'jane-cm-401');
    const bob = await app.createUser('Bob Stone', 'bob-cm-401');
    await outbound(jane.id, daysAgo(1), sentOk(daysAgo(1)));
    const unauthorized = {
      status: 'unauthorized',
      errors: [{ message: 'user not authorized to perform that action' }],
    };
    for (const [query, token] of [
      [`?user_id=${jane.id}`, bob.token],
      [`?user_id=${jane.id}`, jane.token],
      ['?user_id=self', jane.token],
      // Masquerading, the admin acts with Bob's rights.
      [`?user_id=${jane.id}&as_user_id=${bob.id}`, ADMIN_TOKEN],
    ] as const) {
      const res = await list(query, token);
      expect(res.status).toBe(401);
      expect(res.body).toEqual(unauthorized);
    }
    const anonymous = await app.request('GET', `/api/v1/comm_messages?user_id=${jane.id}`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.body).toEqual({
      status: 'unauthenticated',
      errors: [{ message: 'user authorization required' }],
    });
    const notAdmin = await list(`?user_id=${jane.id}&as_user_id=1`, bob.token);
    expect(notAdmin.status).toBe(401);
    expect(notAdmin.body).toEqual({ errors: 'Invalid as_user_id' });
  });

  it('answers 404 when user_id is missing, malformed or unknown, as Canvas does, before rights', async () => {
    const bob = await app.createUser('Bob Gray', 'bob-cm-404');
    const notFound = { errors: [{ message: 'The specified resource does not exist.' }] };
    for (const query of ['', '?user_id=', '?user_id=999999', '?user_id=abc', '?user_id[]=1']) {
      const res = await list(query);
      expect(res.status).toBe(404);
      expect(res.body).toEqual(notFound);
    }
    const nonAdmin = await list('?user_id=999999', bob.token);
    expect(nonAdmin.status).toBe(404);
    // `self` is the caller: the admin, who has been sent nothing.
    const self = await list('?user_id=self');
    expect(self.status).toBe(200);
    expect(self.body).toEqual([]);
  });

  it('orders by created_at descending, ties by id descending, and shows every workflow state', async () => {
    const ann = await app.createUser('Ann Lee', 'ann-cm-states');
    const t = (hours: number) => new Date(daysAgo(10).getTime() + hours * 60 * 60 * 1000);
    const staged = await outbound(ann.id, t(1));
    const sending = await outbound(ann.id, t(2), [dispatched(t(2))]);
    const sent = await outbound(ann.id, t(3), sentOk(t(3)));
    const suppressed = await outbound(ann.id, t(4), [], { suppressed: true });
    const bounced = await outbound(ann.id, t(5), [
      ...sentOk(t(5)),
      (s) => recordBounce(s, { reason: '550 no such user', bouncedAt: t(5).toISOString() }),
    ]);
    const retries: Step[] = [];
    for (let n = 0; n < MAX_DELIVERY_ATTEMPTS; n++) {
      retries.push(dispatched(t(6)), (s) =>
        recordAttemptFailed(s, {
          error: { code: '421', message: 'try later' },
          retryAt: t(6).toISOString(),
          failedAt: t(6).toISOString(),
        }),
      );
    }
    const failed = await outbound(ann.id, t(6), retries);
    const scheduled = await outbound(ann.id, t(7), [], { scheduledFor: t(100).toISOString() });
    const cancelled = await outbound(ann.id, t(8), [
      (s) => cancelOutboundMessage(s, { cancelledAt: t(8).toISOString() }),
    ]);
    const delivered = await outbound(ann.id, t(9), [
      ...sentOk(t(9)),
      (s) => recordDelivered(s, { deliveredAt: t(9).toISOString() }),
    ]);
    const undelivered = await outbound(ann.id, t(9), [
      ...sentOk(t(9)),
      (s) =>
        recordUndelivered(s, {
          error: { code: '30003', message: 'unreachable' },
          at: t(9).toISOString(),
        }),
    ]);

    const res = await list(`?user_id=${ann.id}&per_page=100`);
    expect(res.status).toBe(200);
    const states = (
      res.body as { id: number; workflow_state: string; sent_at: string | null }[]
    ).map((m) => [m.id, m.workflow_state, m.sent_at !== null] as const);
    expect(states).toEqual([
      // The same instant: the higher id first.
      [undelivered, 'bounced', true],
      [delivered, 'sent', true],
      [cancelled, 'cancelled', false],
      [scheduled, 'created', false],
      [failed, 'transmission_error', false],
      [bounced, 'bounced', true],
      [suppressed, 'bounced', false],
      [sent, 'sent', true],
      [sending, 'sending', false],
      [staged, 'staged', false],
    ]);
  });

  it('keeps start_time and end_time inclusive to the second, and ignores unreadable ones', async () => {
    const cy = await app.createUser('Cy Young', 'cy-cm-times');
    const a = await outbound(cy.id, daysAgo(30, 400));
    const b = await outbound(cy.id, daysAgo(20, 900));
    const c = await outbound(cy.id, daysAgo(10, 1));
    const d = await outbound(cy.id, daysAgo(5));

    const between = async (start: string, end: string) => {
      const res = await list(
        `?user_id=${cy.id}&start_time=${encodeURIComponent(start)}&end_time=${encodeURIComponent(end)}`,
      );
      expect(res.status).toBe(200);
      return ids(res.body);
    };
    // The listed created_at values themselves, as a client would copy them.
    expect(await between(wire(daysAgo(20)), wire(daysAgo(10)))).toEqual([c, b]);
    expect(await between(daysAgo(20).toISOString(), daysAgo(10).toISOString())).toEqual([c, b]);
    // The second just outside either end leaves the message out.
    expect(await between(wire(daysAgo(20, 1000)), wire(daysAgo(10, -1000)))).toEqual([]);
    // An offset is honoured: the same instant spelled in another zone.
    const plusTwo = new Date(daysAgo(30).getTime() + 2 * 60 * 60 * 1000)
      .toISOString()
      .replace(/\.\d+Z$/, '+02:00');
    expect(await between(plusTwo, wire(daysAgo(30)))).toEqual([a]);

    const everything = [d, c, b, a];
    for (const query of [
      `&start_time=yesterday`,
      `&end_time=not-a-time`,
      `&start_time=2026-02-30T00:00:00Z&end_time=`,
      `&start_time[]=${encodeURIComponent(wire(daysAgo(6)))}`,
    ]) {
      const res = await list(`?user_id=${cy.id}${query}`);
      expect(res.status).toBe(200);
      expect(ids(res.body)).toEqual(everything);
    }
    const onlyStart = await list(`?user_id=${cy.id}&start_time=${wire(daysAgo(10))}`);
    expect(ids(onlyStart.body)).toEqual([d, c]);
    const onlyEnd = await list(`?user_id=${cy.id}&end_time=${wire(daysAgo(20))}&start_time=x`);
    expect(ids(onlyEnd.body)).toEqual([b, a]);
  });

  it('reaches back at most a year, whatever start_time asks for', async () => {
    const dee = await app.createUser('Dee Dee', 'dee-cm-year');
    await outbound(dee.id, daysAgo(400), sentOk(daysAgo(400)));
    await outbound(dee.id, daysAgo(367), sentOk(daysAgo(367)));
    const recent = await outbound(dee.id, daysAgo(300), sentOk(daysAgo(300)));

    for (const query of ['', `&start_time=${wire(daysAgo(3 * 365))}`, '&start_time=2000-01-01']) {
      const res = await list(`?user_id=${dee.id}${query}`);
      expect(res.status).toBe(200);
      expect(ids(res.body)).toEqual([recent]);
    }
    const before = await list(`?user_id=${dee.id}&end_time=${wire(daysAgo(366))}`);
    expect(before.body).toEqual([]);
    expect(before.headers.get('link')).toContain('rel="last"');
  });

  it('pages with page and per_page and Canvas’s Link header', async () => {
    const eve = await app.createUser('Eve Park', 'eve-cm-pages');
    const made: number[] = [];
    for (let n = 0; n < 5; n++) made.push(await outbound(eve.id, daysAgo(50 - n)));
    const newestFirst = [...made].reverse();

    const first = await list(`?user_id=${eve.id}&per_page=2`);
    expect(first.status).toBe(200);
    expect(ids(first.body)).toEqual(newestFirst.slice(0, 2));
    const base = `${app.running.url}/api/v1/comm_messages?user_id=${eve.id}`;
    expect(first.headers.get('link')).toBe(
      [
        `<${base}&page=1&per_page=2>; rel="current"`,
        `<${base}&page=2&per_page=2>; rel="next"`,
        `<${base}&page=1&per_page=2>; rel="first"`,
        `<${base}&page=3&per_page=2>; rel="last"`,
      ].join(','),
    );

    const start = wire(daysAgo(60));
    const second = await list(`?user_id=${eve.id}&start_time=${start}&page=2&per_page=2`);
    expect(ids(second.body)).toEqual(newestFirst.slice(2, 4));
    const withStart = `${app.running.url}/api/v1/comm_messages?start_time=${encodeURIComponent(start)}&user_id=${eve.id}`;
    expect(second.headers.get('link')).toBe(
      [
        `<${withStart}&page=2&per_page=2>; rel="current"`,
        `<${withStart}&page=3&per_page=2>; rel="next"`,
        `<${withStart}&page=1&per_page=2>; rel="prev"`,
        `<${withStart}&page=1&per_page=2>; rel="first"`,
        `<${withStart}&page=3&per_page=2>; rel="last"`,
      ].join(','),
    );

    const last = await list(`?user_id=${eve.id}&page=3&per_page=2`);
    expect(ids(last.body)).toEqual(newestFirst.slice(4));
    expect(last.headers.get('link')).not.toContain('rel="next"');

    const past = await list(`?user_id=${eve.id}&page=9&per_page=2`);
    expect(past.status).toBe(200);
    expect(past.body).toEqual([]);

    const defaults = await list(`?user_id=${eve.id}&per_page=1000`);
    expect(ids(defaults.body)).toEqual(newestFirst);
    expect(defaults.headers.get('link')).toContain('per_page=100>');

    expect((await list(`?user_id=${eve.id}&page=0`)).status).toBe(404);
  });

  it('lists only the user’s own messages, never another user’s or Comms sends', async () => {
    const fay = await app.createUser('Fay Wu', 'fay-cm-own');
    const gus = await app.createUser('Gus Hill', 'gus-cm-own');
    const mine = await outbound(fay.id, daysAgo(2));
    await outbound(gus.id, daysAgo(2));
    await outbound(fay.id, daysAgo(2), [], {
      kind: 'comms',
      userId: null,
      channelId: null,
      channel: 'phone',
      to: '+15550100',
    });
    const res = await list(`?user_id=${fay.id}&as_user_id=1`);
    expect(res.status).toBe(200);
    expect(ids(res.body)).toEqual([mine]);
  });
});
