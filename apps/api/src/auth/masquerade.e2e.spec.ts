import { ADMIN_TOKEN, TestApp } from '../testing/testApp';

const INVALID_AS_USER_ID = '{"errors":"Invalid as_user_id"}';

describe('Masquerading with as_user_id over HTTP', () => {
  let app: TestApp;
  let jane: { id: number; token: string };
  let bob: { id: number; token: string };
  beforeAll(async () => {
    app = await TestApp.start();
    jane = await app.createUser('Jane Doe', 'jane', 'Jane');
    bob = await app.createUser('Bob Roe', 'bob');
    await app.courseWith(jane.id, bob.id);
  });
  afterAll(async () => {
    await app.stop();
  });

  it('lets a site admin act as another user, `self` included', async () => {
    const res = await app.request('GET', `/api/v1/users/self?as_user_id=${jane.id}`, {
      token: ADMIN_TOKEN,
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: jane.id, name: 'Jane Doe', login_id: 'jane' });
  });

  it('writes as the target, with the real user as the actor in the event metadata', async () => {
    const before = (await app.allEvents()).length;
    const res = await app.request('POST', '/api/v1/conversations', {
      token: ADMIN_TOKEN,
      form: { as_user_id: String(jane.id), 'recipients[]': String(bob.id), body: 'From Jane' },
    });
    expect(res.status).toBe(201);
    const written = (await app.allEvents()).slice(before);
    const message = written.find((e) => e.type === 'MessageAdded');
    expect(message?.data).toMatchObject({ authorId: String(jane.id), body: 'From Jane' });
    expect(message?.metadata).toMatchObject({ actorUserId: '1' });
    const sent = await app.request('GET', '/api/v1/conversations?scope=sent', {
      token: jane.token,
    });
    expect(
      sent.body.map((c: { last_authored_message: string }) => c.last_authored_message),
    ).toEqual(['From Jane']);
  });

  it('takes as_user_id from a JSON body too', async () => {
    const res = await app.request('POST', `/api/v1/users/self/tokens`, {
      token: ADMIN_TOKEN,
      json: { as_user_id: bob.id },
    });
    expect(res.status).toBe(200);
    expect(res.body.user_id).toBe(bob.id);
  });

  it('gives the admin only the target’s rights while masquerading', async () => {
    const res = await app.request('POST', '/api/v1/accounts/self/users', {
      token: ADMIN_TOKEN,
      form: { as_user_id: String(jane.id), 'pseudonym[unique_id]': 'nobody' },
    });
    expect(res.status).toBe(401);
    expect(res.body).toEqual({
      status: 'unauthorized',
      errors: [{ message: 'user not authorized to perform that action' }],
    });
  });

  it('refuses a user who is not an admin, and writes nothing', async () => {
    const shown = await app.request('GET', `/api/v1/users/self?as_user_id=${bob.id}`, {
      token: jane.token,
    });
    expect(shown.status).toBe(401);
    expect(shown.text).toBe(INVALID_AS_USER_ID);

    const before = (await app.allEvents()).length;
    const posted = await app.request('POST', '/api/v1/conversations', {
      token: jane.token,
      form: { as_user_id: String(bob.id), 'recipients[]': '1', body: 'As Bob' },
    });
    expect(posted.status).toBe(401);
    expect(posted.text).toBe(INVALID_AS_USER_ID);
    expect((await app.allEvents()).length).toBe(before);
  });

  it.each([['999999999'], ['sis_user_id:jane'], ['-1']])(
    'refuses an unknown target %p with the same 401',
    async (target) => {
      const res = await app.request(
        'GET',
        `/api/v1/users/self?as_user_id=${encodeURIComponent(target)}`,
        { token: ADMIN_TOKEN },
      );
      expect(res.status).toBe(401);
      expect(res.text).toBe(INVALID_AS_USER_ID);
    },
  );

  it('lets anyone "become" themself, and ignores a blank as_user_id', async () => {
    for (const as of [String(jane.id), 'self', '']) {
      const res = await app.request('GET', `/api/v1/users/self?as_user_id=${as}`, {
        token: jane.token,
      });
      expect(res.status).toBe(200);
      expect(res.body.id).toBe(jane.id);
    }
  });
});
