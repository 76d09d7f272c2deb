import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { PG_TEST_URL } from '../testing/pgTestDatabase';
import { ADMIN_TOKEN, TestApp } from '../testing/testApp';

/**
 * What a list request costs PostgreSQL in round trips: every statement the API's connections
 * send while one GET /api/v1/conversations is served is counted (node-postgres's
 * Client#query, which Kysely and the prepared reads both go through).
 */
describe('GET /api/v1/conversations on PostgreSQL read models', () => {
  let app: TestApp;
  let admin: Client;
  const schema = `list_statements_${randomBytes(6).toString('hex')}`;
  const proto = Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const query = proto.query;
  let sent: string[] | undefined;

  beforeAll(async () => {
    admin = new Client({ connectionString: PG_TEST_URL });
    await admin.connect();
    await admin.query(`CREATE SCHEMA "${schema}"`);
    proto.query = function (this: unknown, config: unknown, ...rest: unknown[]) {
      sent?.push(typeof config === 'string' ? config : (config as { text: string }).text);
      return query.call(this, config, ...rest);
    };
    const url = new URL(PG_TEST_URL);
    url.searchParams.set('schema', schema);
    app = await TestApp.start({ READ_MODEL_URL: url.toString() });
    // The admin token is a write the users projection applies soon after the start.
    while (
      (await app.request('GET', '/api/v1/users/self', { token: ADMIN_TOKEN })).status !== 200
    ) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  });

  afterAll(async () => {
    proto.query = query;
    await app?.stop();
    await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await admin.end();
  });

  async function statementsOf(path: string, token: string) {
    sent = [];
    const reply = await app.request('GET', path, { token });
    const statements = sent;
    sent = undefined;
    return { reply, statements };
  }

  it('reads the token, then the page with its totals, participants and tags: two statements', async () => {
    // The site admin may write to anyone: conversations with no course or group behind them,
    // so no audience contexts to look up (which would be a statement more, see below).
    const ben = await app.createUser('Ben Cee', 'ben');
    for (const subject of ['one', 'two', 'three']) {
      const created = await app.request('POST', '/api/v1/conversations', {
        token: ADMIN_TOKEN,
        form: {
          'recipients[]': String(ben.id),
          subject,
          body: `about ${subject}`,
          force_new: 'true',
        },
      });
      expect(created.status).toBe(201);
    }
    // The first list names the participants (cached afterwards); the second is the steady state.
    expect((await statementsOf('/api/v1/conversations?per_page=2', ben.token)).reply.status).toBe(
      200,
    );
    const { reply, statements } = await statementsOf('/api/v1/conversations?per_page=2', ben.token);
    expect(reply.status).toBe(200);
    expect(reply.body.map((c: { subject: string }) => c.subject)).toEqual(['three', 'two']);
    expect(reply.body[0].participants.map((p: { id: number }) => p.id)).toEqual([1, ben.id]);
    expect(reply.headers.get('link')).toContain('rel="last"');
    expect(statements).toHaveLength(2);
    expect(statements[0]).toMatch(/FROM access_tokens/);
    expect(statements[1]).toMatch(/WITH total AS/);
    // Past the end: the same single statement answers the total with no rows.
    const past = await statementsOf('/api/v1/conversations?per_page=2&page=3', ben.token);
    expect(past.reply.status).toBe(200);
    expect(past.reply.body).toEqual([]);
    expect(past.statements).toHaveLength(2);
  });

  it('looks the audience contexts up in one statement more when the page has course tags', async () => {
    const cy = await app.createUser('Cy Dee', 'cy');
    const dot = await app.createUser('Dot Eff', 'dot');
    await app.courseWith(cy.id, dot.id);
    const created = await app.request('POST', '/api/v1/conversations', {
      token: cy.token,
      form: { 'recipients[]': String(dot.id), subject: 'course', body: 'in the course' },
    });
    expect(created.status).toBe(201);
    await statementsOf('/api/v1/conversations', dot.token);
    const { reply, statements } = await statementsOf('/api/v1/conversations', dot.token);
    expect(Object.keys(reply.body[0].audience_contexts.courses)).toHaveLength(1);
    expect(statements).toHaveLength(3);
    expect(statements[2]).toMatch(/from "enrollments"/);
  });
});
