import { ADMIN_TOKEN, TestApp } from '../testing/testApp';

describe('Users and tokens over HTTP', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await TestApp.start();
  });
  afterAll(async () => {
    await app.stop();
  });

  it('lets the bootstrapped admin create a user from Canvas form fields', async () => {
    const res = await app.request('POST', '/api/v1/accounts/self/users', {
      token: ADMIN_TOKEN,
      form: {
        'user[name]': 'Jane Doe',
        'user[short_name]': 'Jane',
        'pseudonym[unique_id]': 'jane@example.com',
      },
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      id: expect.any(Number),
      name: 'Jane Doe',
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      sortable_name: 'Doe, Jane',
      short_name: 'Jane',
      sis_user_id: null,
      integration_id: null,
      sis_import_id: null,
      login_id: 'jane@example.com',
    });
    // Read-your-writes: the very next GET sees the user.
    const shown = await app.request('GET', `/api/v1/users/${res.body.id}`, { token: ADMIN_TOKEN });
    expect(shown.status).toBe(200);
    expect(shown.body.name).toBe('Jane Doe');
  });

  it('accepts the same request as JSON', async () => {
    const res = await app.request('POST', '/api/v1/accounts/self/users', {
      token: ADMIN_TOKEN,
      json: { user: { name: 'Json Person' }, pseudonym: { unique_id: 'json-person' } },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      name: 'Json Person',
      short_name: 'Json Person',
      login_id: 'json-person',
    });
  });

  it('gives a new user a first communication channel, confirmed when the admin skips confirmation', async () => {
    const res = await app.request('POST', '/api/v1/accounts/self/users', {
      token: ADMIN_TOKEN,
      form: {
        'user[name]': 'Channel Person',
        'pseudonym[unique_id]': 'channel-person',
        'communication_channel[type]': 'email',
        'communication_channel[address]': 'channel.person@example.com',
        'communication_channel[skip_confirmation]': 'true',
      },
    });
    expect(res.status).toBe(200);
    const channels = await app.request(
      'GET',
      `/api/v1/users/${res.body.id}/communication_channels`,
      {
        token: ADMIN_TOKEN,
      },
    );
    expect(channels.body).toEqual([
      expect.objectContaining({
        address: 'channel.person@example.com',
        type: 'email',
        position: 1,
        workflow_state: 'active',
      }),
    ]);
    const unconfirmed = await app.request('POST', '/api/v1/accounts/self/users', {
      token: ADMIN_TOKEN,
      json: {
        user: { name: 'Second Person' },
        pseudonym: { unique_id: 'second-person' },
        communication_channel: { type: 'email', address: 'second@example.com' },
      },
    });
    const second = await app.request(
      'GET',
      `/api/v1/users/${unconfirmed.body.id}/communication_channels`,
      {
        token: ADMIN_TOKEN,
      },
    );
    expect(second.body[0].workflow_state).toBe('unconfirmed');
  });

  it('refuses a bad first channel before writing the user', async () => {
    const before = (await app.allEvents()).length;
    const res = await app.request('POST', '/api/v1/accounts/self/users', {
      token: ADMIN_TOKEN,
      form: {
        'user[name]': 'Bad Channel',
        'pseudonym[unique_id]': 'bad-channel',
        'communication_channel[type]': 'email',
        'communication_channel[address]': 'not an email',
      },
    });
    expect(res.status).toBe(400);
    expect(res.body.errors.email).toBeDefined();
    expect((await app.allEvents()).length).toBe(before);
  });

  it('refuses a login id that is taken, case-insensitively, and writes nothing', async () => {
    await app.createUser('Taken One', 'taken@example.com');
    const before = (await app.allEvents()).length;
    const res = await app.request('POST', '/api/v1/accounts/self/users', {
      token: ADMIN_TOKEN,
      form: { 'user[name]': 'Taken Two', 'pseudonym[unique_id]': 'TAKEN@example.com' },
    });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      errors: {
        pseudonym: {
          unique_id: [
            {
              attribute: 'unique_id',
              type: 'taken',
              message: 'ID already in use for this account and authentication provider',
            },
          ],
        },
      },
    });
    expect((await app.allEvents()).length).toBe(before);
  });

  it.each([
    ['a missing login id', { 'user[name]': 'No Login' }, 'pseudonym', 'unique_id'],
    [
      'a name that is not a string',
      { 'user[name][x]': 'y', 'pseudonym[unique_id]': 'weird' },
      'user',
      'name',
    ],
    [
      'a name over 255 characters',
      { 'user[name]': 'n'.repeat(256), 'pseudonym[unique_id]': 'long' },
      'user',
      'name',
    ],
  ])(
    'answers %s with a model error and writes nothing',
    async (_label, form, object, attribute) => {
      const before = (await app.allEvents()).length;
      const res = await app.request('POST', '/api/v1/accounts/self/users', {
        token: ADMIN_TOKEN,
        form,
      });
      expect(res.status).toBe(400);
      expect(res.body.errors[object][attribute][0]).toMatchObject({ attribute });
      expect((await app.allEvents()).length).toBe(before);
    },
  );

  it('only lets site admins create users', async () => {
    const user = await app.createUser('Plain User', 'plain');
    const before = (await app.allEvents()).length;
    const res = await app.request('POST', '/api/v1/accounts/self/users', {
      token: user.token,
      form: { 'user[name]': 'Sneaky', 'pseudonym[unique_id]': 'sneaky' },
    });
    expect(res.status).toBe(401);
    expect(res.body).toEqual({
      status: 'unauthorized',
      errors: [{ message: 'user not authorized to perform that action' }],
    });
    expect((await app.allEvents()).length).toBe(before);
  });

  it('shows a user to themself (also as self) and to admins, never to other users', async () => {
    const a = await app.createUser('Ann Able', 'ann');
    const b = await app.createUser('Ben Baker', 'ben');
    expect((await app.request('GET', `/api/v1/users/${a.id}`, { token: a.token })).status).toBe(
      200,
    );
    const self = await app.request('GET', '/api/v1/users/self', { token: a.token });
    expect(self.body.id).toBe(a.id);
    expect((await app.request('GET', `/api/v1/users/${a.id}`, { token: ADMIN_TOKEN })).status).toBe(
      200,
    );
    const other = await app.request('GET', `/api/v1/users/${a.id}`, { token: b.token });
    expect(other.status).toBe(401);
    const missing = await app.request('GET', '/api/v1/users/999999', { token: ADMIN_TOKEN });
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({
      errors: [{ message: 'The specified resource does not exist.' }],
    });
  });

  it('issues tokens to the user themself or an admin; the token works once issued and is stored hashed', async () => {
    const a = await app.createUser('Cat Cole', 'cat');
    const b = await app.createUser('Dan Dorn', 'dan');
    const mine = await app.request('POST', '/api/v1/users/self/tokens', {
      token: a.token,
      form: { 'token[purpose]': 'scripts' },
    });
    expect(mine.status).toBe(200);
    expect(mine.body).toMatchObject({
      user_id: a.id,
      purpose: 'scripts',
      workflow_state: 'active',
    });
    const visible: string = mine.body.visible_token;
    expect(visible).toMatch(/^1~[A-Za-z0-9]{64}$/);
    const me = await app.request('GET', '/api/v1/users/self', { token: visible });
    expect(me.body.id).toBe(a.id);

    const stolen = await app.request('POST', `/api/v1/users/${a.id}/tokens`, { token: b.token });
    expect(stolen.status).toBe(401);

    const events = JSON.stringify((await app.allEvents()).map((e) => [e.data, e.metadata]));
    expect(events).not.toContain(visible);
    expect(events).not.toContain(a.token);
  });

  it('lists, shows and revokes tokens; a revoked token stops working at once', async () => {
    const a = await app.createUser('Tia Token', 'tia');
    const b = await app.createUser('Ugo Other', 'ugo');
    const second = await app.request('POST', '/api/v1/users/self/tokens', {
      token: a.token,
      form: { 'token[purpose]': 'second' },
    });
    const listed = await app.request('GET', '/api/v1/users/self/tokens?per_page=1&page=2', {
      token: a.token,
    });
    expect(listed.status).toBe(200);
    expect(listed.body).toEqual([
      expect.objectContaining({
        id: second.body.id,
        purpose: 'second',
        token_hint: second.body.visible_token.slice(-4),
      }),
    ]);
    expect(listed.body[0].visible_token).toBeUndefined();
    expect(listed.headers.get('link')).toContain('rel="prev"');
    expect(listed.headers.get('link')).not.toContain('rel="next"');

    const shown = await app.request('GET', `/api/v1/users/${a.id}/tokens/${second.body.id}`, {
      token: ADMIN_TOKEN,
    });
    expect(shown.body.purpose).toBe('second');
    expect(
      (await app.request('GET', `/api/v1/users/${a.id}/tokens`, { token: b.token })).status,
    ).toBe(401);

    const before = (await app.allEvents()).length;
    const stolen = await app.request('DELETE', `/api/v1/users/${a.id}/tokens/${second.body.id}`, {
      token: b.token,
    });
    expect(stolen.status).toBe(401);
    expect((await app.allEvents()).length).toBe(before);

    const revoked = await app.request('DELETE', `/api/v1/users/self/tokens/${second.body.id}`, {
      token: a.token,
    });
    expect(revoked.status).toBe(200);
    expect(revoked.body.id).toBe(second.body.id);
    const afterwards = await app.request('GET', '/api/v1/users/self', {
      token: second.body.visible_token,
    });
    expect(afterwards.status).toBe(401);
    expect(afterwards.body).toEqual({ errors: [{ message: 'Invalid access token.' }] });
    const again = await app.request('DELETE', `/api/v1/users/self/tokens/${second.body.id}`, {
      token: a.token,
    });
    expect(again.status).toBe(404);
    // The first token still works.
    expect((await app.request('GET', '/api/v1/users/self', { token: a.token })).status).toBe(200);
  });

  it('refuses an expired token and a malformed expiry', async () => {
    const a = await app.createUser('Eve Ember', 'eve');
    const bad = await app.request('POST', '/api/v1/users/self/tokens', {
      token: a.token,
      form: { 'token[expires_at]': 'tomorrow-ish' },
    });
    expect(bad.status).toBe(400);
    const expired = await app.request('POST', '/api/v1/users/self/tokens', {
      token: a.token,
      form: { 'token[expires_at]': '2020-01-01T00:00:00Z' },
    });
    expect(expired.status).toBe(200);
    const res = await app.request('GET', '/api/v1/users/self', {
      token: expired.body.visible_token,
    });
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ errors: [{ message: 'Invalid access token.' }] });
  });

  it('speaks Canvas 401s: unauthenticated, invalid token with WWW-Authenticate, and access_token works', async () => {
    const none = await app.request('GET', '/api/v1/users/self');
    expect(none.status).toBe(401);
    expect(none.body).toEqual({
      status: 'unauthenticated',
      errors: [{ message: 'user authorization required' }],
    });
    const wrong = await app.request('GET', '/api/v1/users/self', { token: 'not-a-token' });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('www-authenticate')).toBe('Bearer realm="canvas-lms"');
    expect(wrong.body).toEqual({ errors: [{ message: 'Invalid access token.' }] });
    const viaQuery = await app.request('GET', `/api/v1/users/self?access_token=${ADMIN_TOKEN}`);
    expect(viaQuery.status).toBe(200);
    expect(viaQuery.body.id).toBe(1);
  });

  it('answers unknown routes and malformed JSON in Canvas shapes, never a 500', async () => {
    const unknown = await app.request('GET', '/api/v1/nope', { token: ADMIN_TOKEN });
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual({
      errors: [{ message: 'The specified resource does not exist.' }],
    });
    const malformed = await app.request('POST', '/api/v1/accounts/self/users', {
      token: ADMIN_TOKEN,
      headers: { 'content-type': 'application/json' },
      json: undefined,
    });
    // An empty JSON body is an empty form: Canvas's validation error, not a parse error.
    expect(malformed.status).toBe(400);
    expect(malformed.body).toEqual({
      errors: {
        pseudonym: { unique_id: [{ attribute: 'unique_id', message: 'blank', type: 'blank' }] },
      },
    });
    const res = await fetch(`${app.running.url}/api/v1/accounts/self/users`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: '{not json',
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      errors: [{ message: 'An error occurred.', error_code: 'bad_request' }],
    });
  });
});
