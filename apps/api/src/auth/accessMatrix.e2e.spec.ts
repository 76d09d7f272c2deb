import { ADMIN_TOKEN, TestApp, type RequestOptions } from '../testing/testApp';

/**
 * Who may read and change a user's own things (tokens, channels, messages): the user
 * themself and site admins; any other user gets Canvas's 401 `unauthorized` and nothing is
 * written.
 */
describe('access control matrix', () => {
  let app: TestApp;
  let owner: { id: number; token: string };
  let other: { id: number; token: string };

  beforeAll(async () => {
    app = await TestApp.start();
    owner = await app.createUser('Olive Owner', 'owner');
    other = await app.createUser('Oscar Other', 'other');
  });
  afterAll(async () => {
    await app.stop();
  });

  // Every row has all four cells: Jest treats a test function with more parameters than the
  // row has cells as callback-style and waits for `done`.
  type Operation = [string, string, (ownerId: number) => string, RequestOptions | undefined];
  const operations: Operation[] = [
    ['read the user', 'GET', (id) => `/api/v1/users/${id}`, undefined],
    ['list tokens', 'GET', (id) => `/api/v1/users/${id}/tokens`, undefined],
    [
      'issue a token',
      'POST',
      (id) => `/api/v1/users/${id}/tokens`,
      { form: { 'token[purpose]': 'x' } },
    ],
    ['list channels', 'GET', (id) => `/api/v1/users/${id}/communication_channels`, undefined],
    [
      'add a channel',
      'POST',
      (id) => `/api/v1/users/${id}/communication_channels`,
      {
        form: {
          'communication_channel[type]': 'email',
          'communication_channel[address]': `m${Date.now()}@example.com`,
        },
      },
    ],
  ];

  it.each(operations)(
    'lets the owner and admins %s, and refuses other users',
    async (_label, method, path, options) => {
      const url = path(owner.id);
      const before = (await app.allEvents()).length;
      const refused = await app.request(method, url, { ...options, token: other.token });
      expect(refused.status).toBe(401);
      expect(refused.body).toEqual({
        status: 'unauthorized',
        errors: [{ message: 'user not authorized to perform that action' }],
      });
      expect((await app.allEvents()).length).toBe(before);

      const unique = (o?: RequestOptions): RequestOptions | undefined =>
        o?.form && 'communication_channel[address]' in o.form
          ? {
              form: {
                ...o.form,
                'communication_channel[address]': `${Math.random().toString(36).slice(2)}@example.com`,
              },
            }
          : o;
      expect(
        (await app.request(method, url, { ...unique(options), token: owner.token })).status,
      ).toBe(200);
      expect(
        (await app.request(method, url, { ...unique(options), token: ADMIN_TOKEN })).status,
      ).toBe(200);
    },
  );

  it('keeps one user from revoking or reading another user’s token by id', async () => {
    const issued = await app.request('POST', '/api/v1/users/self/tokens', { token: owner.token });
    const path = `/api/v1/users/${owner.id}/tokens/${issued.body.id}`;
    expect((await app.request('GET', path, { token: other.token })).status).toBe(401);
    // Naming the token under the other user's own id finds nothing either.
    expect(
      (
        await app.request('GET', `/api/v1/users/self/tokens/${issued.body.id}`, {
          token: other.token,
        })
      ).status,
    ).toBe(404);
    expect(
      (
        await app.request('DELETE', `/api/v1/users/self/tokens/${issued.body.id}`, {
          token: other.token,
        })
      ).status,
    ).toBe(404);
    expect(
      (await app.request('GET', '/api/v1/users/self', { token: issued.body.visible_token })).status,
    ).toBe(200);
  });
});
