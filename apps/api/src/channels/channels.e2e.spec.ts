import { ADMIN_TOKEN, CONFIRMATION_SECRET, TestApp } from '../testing/testApp';
import { ConfirmationCodes } from '@missive/domain';

type Who = { id: number; token: string };

describe('Communication channels over HTTP', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await TestApp.start();
  });
  afterAll(async () => {
    await app.stop();
  });

  const channelsOf = (user: number | 'self', token: string, query = '') =>
    app.request('GET', `/api/v1/users/${user}/communication_channels${query}`, { token });

  const addChannel = (user: number | 'self', token: string, form: Record<string, string>) =>
    app.request('POST', `/api/v1/users/${user}/communication_channels`, { token, form });

  /**
   * The code a notifier holding the secret would send: derived from the nonce in the latest
   * add/revive event. The log itself never holds the code.
   */
  async function codeOf(channelId: number): Promise<string> {
    const events = await app.allEvents();
    const added = events
      .filter(
        (e) =>
          e.streamId === `channel-${channelId}` &&
          (e.type === 'ChannelAdded' || e.type === 'ChannelRevived'),
      )
      .pop();
    const { confirmationNonce } = added!.data as { confirmationNonce: string };
    const code = new ConfirmationCodes(CONFIRMATION_SECRET).codeFor(
      String(channelId),
      confirmationNonce,
    );
    expect(JSON.stringify(events.map((e) => e.data))).not.toContain(code);
    return code;
  }

  async function expectNothingWritten(before: number): Promise<void> {
    expect((await app.allEvents()).length).toBe(before);
  }

  it('creates an unconfirmed email channel (form-encoded) that the next GET lists', async () => {
    const jane = await app.createUser('Jane Doe', 'jane-cc');
    const res = await addChannel(jane.id, jane.token, {
      'communication_channel[address]': 'Jane@Example.com',
      'communication_channel[type]': 'email',
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      id: expect.any(Number),
      address: 'Jane@Example.com',
      type: 'email',
      position: 1,
      user_id: jane.id,
      workflow_state: 'unconfirmed',
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
    });
    expect(res.text).not.toContain(await codeOf(res.body.id));

    const listed = await channelsOf(jane.id, jane.token);
    expect(listed.status).toBe(200);
    expect(listed.body).toEqual([res.body]);
  });

  it('accepts JSON, appends positions, turns unknown types into email and never checks SMS', async () => {
    const ann = await app.createUser('Ann Able', 'ann-cc');
    const first = await app.request('POST', '/api/v1/users/self/communication_channels', {
      token: ann.token,
      json: { communication_channel: { address: 'ann@example.com', type: 'email' } },
    });
    const sms = await addChannel('self', ann.token, {
      'communication_channel[address]': 'call me maybe',
      'communication_channel[type]': 'sms',
    });
    const twitter = await addChannel('self', ann.token, {
      'communication_channel[address]': 'ann@twitter.example',
      'communication_channel[type]': 'twitter',
    });
    expect([first.status, sms.status, twitter.status]).toEqual([200, 200, 200]);
    expect([first.body.position, sms.body.position, twitter.body.position]).toEqual([1, 2, 3]);
    expect(sms.body).toMatchObject({ type: 'sms', address: 'call me maybe' });
    expect(twitter.body.type).toBe('email');
    const listed = await channelsOf('self', ann.token);
    expect(listed.body.map((c: { id: number }) => c.id)).toEqual([
      first.body.id,
      sms.body.id,
      twitter.body.id,
    ]);
  });

  it('honours skip_confirmation for admins only, silently ignoring it for others', async () => {
    const bob = await app.createUser('Bob Roe', 'bob-cc');
    const byAdmin = await addChannel(bob.id, ADMIN_TOKEN, {
      'communication_channel[address]': 'bob@example.com',
      skip_confirmation: 'true',
    });
    expect(byAdmin.status).toBe(200);
    expect(byAdmin.body).toMatchObject({ workflow_state: 'active', user_id: bob.id });
    const bySelf = await addChannel(bob.id, bob.token, {
      'communication_channel[address]': 'bob2@example.com',
      skip_confirmation: '1',
    });
    expect(bySelf.status).toBe(200);
    expect(bySelf.body.workflow_state).toBe('unconfirmed');
  });

  it('makes push channels active and shows a label instead of the token', async () => {
    const cy = await app.createUser('Cy Cole', 'cy-cc');
    const res = await addChannel('self', cy.token, {
      'communication_channel[type]': 'push',
      'communication_channel[token]': 'device-token-abc',
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      type: 'push',
      workflow_state: 'active',
      address: 'For All Devices',
    });
    expect(res.text).not.toContain('device-token-abc');
  });

  it('refuses bad input with Canvas shapes and writes nothing', async () => {
    const dee = await app.createUser('Dee Dunn', 'dee-cc');
    await addChannel('self', dee.token, {
      'communication_channel[address]': 'dee@example.com',
    });
    const before = (await app.allEvents()).length;
    const cases: [Record<string, string>, unknown][] = [
      [
        { 'communication_channel[address]': 'not-an-email' },
        { errors: { email: [{ attribute: 'email', type: 'invalid', message: 'invalid' }] } },
      ],
      [
        {
          'communication_channel[address]': 'DEE@example.COM',
          'communication_channel[type]': 'email',
        },
        { errors: { path: [{ attribute: 'path', type: 'taken', message: 'taken' }] } },
      ],
      [
        { 'communication_channel[type]': 'sms' },
        { errors: [{ message: 'communication_channel[address] is missing' }] },
      ],
      [{}, { errors: [{ message: 'communication_channel[address] is missing' }] }],
      [
        { 'communication_channel[type]': 'push' },
        { errors: [{ message: 'communication_channel[token] is missing' }] },
      ],
      [
        { 'communication_channel[address]': `${'a'.repeat(250)}@example.com` },
        { errors: { path: [{ attribute: 'path', type: 'too_long', message: 'too_long' }] } },
      ],
      [
        { 'communication_channel[address][x]': 'y' },
        {
          errors: {
            communication_channel: {
              address: [{ attribute: 'address', type: 'invalid', message: 'invalid' }],
            },
          },
        },
      ],
    ];
    for (const [form, body] of cases) {
      const res = await addChannel('self', dee.token, form);
      expect({ form, status: res.status, body: res.body }).toEqual({ form, status: 400, body });
    }
    await expectNothingWritten(before);
  });

  it('lets only one of several simultaneous creates of the same address through', async () => {
    const max = await app.createUser('Max Moss', 'max-cc');
    const results = await Promise.all(
      ['max@example.com', 'MAX@example.com', 'Max@Example.com'].map((address) =>
        addChannel('self', max.token, { 'communication_channel[address]': address }),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 400, 400]);
    for (const refused of results.filter((r) => r.status === 400)) {
      expect(refused.body.errors.path[0].type).toBe('taken');
    }
    const listed = await channelsOf('self', max.token);
    expect(listed.body).toHaveLength(1);
    const added = (await app.allEvents()).filter(
      (e) => e.type === 'ChannelAdded' && (e.data as { userId: string }).userId === String(max.id),
    );
    expect(added).toHaveLength(1);
  });

  it('stops at 100 channels per user with Canvas’s message, writing nothing', async () => {
    const eve = await app.createUser('Eve Ember', 'eve-cc');
    for (let i = 1; i <= 100; i++) {
      const res = await addChannel(eve.id, ADMIN_TOKEN, {
        'communication_channel[address]': `${i}`,
        'communication_channel[type]': 'sms',
      });
      expect(res.status).toBe(200);
    }
    const before = (await app.allEvents()).length;
    const res = await addChannel(eve.id, eve.token, {
      'communication_channel[address]': 'one-too-many@example.com',
    });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      errors: { type: 'Maximum number of communication channels reached' },
    });
    await expectNothingWritten(before);
  });

  it('pages by position with Canvas’s Link header', async () => {
    const fay = await app.createUser('Fay Fox', 'fay-cc');
    for (let i = 1; i <= 7; i++) {
      await addChannel('self', fay.token, {
        'communication_channel[address]': `+1555000${i}`,
        'communication_channel[type]': 'sms',
      });
    }
    const res = await channelsOf(fay.id, fay.token, '?per_page=3&page=2');
    expect(res.status).toBe(200);
    expect(res.body.map((c: { position: number }) => c.position)).toEqual([4, 5, 6]);
    const base = `${app.running.url}/api/v1/users/${fay.id}/communication_channels`;
    expect(res.headers.get('link')).toBe(
      [
        `<${base}?page=2&per_page=3>; rel="current"`,
        `<${base}?page=3&per_page=3>; rel="next"`,
        `<${base}?page=1&per_page=3>; rel="prev"`,
        `<${base}?page=1&per_page=3>; rel="first"`,
        `<${base}?page=3&per_page=3>; rel="last"`,
      ].join(','),
    );
    const first = await channelsOf('self', fay.token);
    expect(first.body).toHaveLength(7);
    const selfBase = `${app.running.url}/api/v1/users/self/communication_channels`;
    expect(first.headers.get('link')).toBe(
      `<${selfBase}?page=1&per_page=10>; rel="current",<${selfBase}?page=1&per_page=10>; rel="first",<${selfBase}?page=1&per_page=10>; rel="last"`,
    );
    const past = await channelsOf('self', fay.token, '?page=9');
    expect([past.status, past.body]).toEqual([200, []]);
    expect((await channelsOf('self', fay.token, '?page=abc')).status).toBe(404);
  });

  it('deletes by id and by type/address (soft, case-insensitive), then 404s', async () => {
    const gus = await app.createUser('Gus Gray', 'gus-cc');
    const a = await addChannel('self', gus.token, {
      'communication_channel[address]': 'gus@example.com',
    });
    const b = await addChannel('self', gus.token, {
      'communication_channel[address]': '+15551234',
      'communication_channel[type]': 'sms',
    });
    const byId = await app.request(
      'DELETE',
      `/api/v1/users/${gus.id}/communication_channels/${a.body.id}`,
      { token: gus.token },
    );
    expect(byId.status).toBe(200);
    expect(byId.body).toMatchObject({ id: a.body.id, workflow_state: 'retired' });
    const again = await app.request(
      'DELETE',
      `/api/v1/users/${gus.id}/communication_channels/${a.body.id}`,
      { token: gus.token },
    );
    expect(again.status).toBe(404);
    expect(again.body).toEqual({ errors: [{ message: 'The specified resource does not exist.' }] });

    const byAddress = await app.request(
      'DELETE',
      `/api/v1/users/self/communication_channels/sms/${encodeURIComponent('+15551234')}`,
      { token: gus.token },
    );
    expect(byAddress.status).toBe(200);
    expect(byAddress.body).toMatchObject({ id: b.body.id, workflow_state: 'retired' });
    const gone = await app.request(
      'DELETE',
      `/api/v1/users/self/communication_channels/email/GUS@EXAMPLE.COM`,
      { token: gus.token },
    );
    expect(gone.status).toBe(404);
    expect((await channelsOf('self', gus.token)).body).toEqual([]);
  });

  it('revives a removed channel: same id and position, bounces cleared, unconfirmed or active', async () => {
    const hal = await app.createUser('Hal Hill', 'hal-cc');
    const first = await addChannel('self', hal.token, {
      'communication_channel[address]': 'hal@example.com',
    });
    await addChannel('self', hal.token, { 'communication_channel[address]': 'hal2@example.com' });
    await app.request('DELETE', `/api/v1/users/self/communication_channels/${first.body.id}`, {
      token: hal.token,
    });
    const revived = await addChannel('self', hal.token, {
      'communication_channel[address]': 'HAL@example.com',
    });
    expect(revived.status).toBe(200);
    expect(revived.body).toMatchObject({
      id: first.body.id,
      position: 1,
      workflow_state: 'unconfirmed',
      address: 'hal@example.com',
    });
    await app.request('DELETE', `/api/v1/users/self/communication_channels/${first.body.id}`, {
      token: hal.token,
    });
    const byAdmin = await addChannel(hal.id, ADMIN_TOKEN, {
      'communication_channel[address]': 'hal@example.com',
      skip_confirmation: 'true',
    });
    expect(byAdmin.body).toMatchObject({ id: first.body.id, workflow_state: 'active' });
    const listed = await channelsOf('self', hal.token);
    expect(listed.body.map((c: { position: number }) => c.position)).toEqual([1, 2]);
  });

  it('removes a push token with DELETE self/communication_channels/push, answering success', async () => {
    const ida = await app.createUser('Ida Ives', 'ida-cc');
    const push = await addChannel('self', ida.token, {
      'communication_channel[type]': 'push',
      'communication_channel[token]': 'Token-XYZ',
    });
    const res = await app.request('DELETE', '/api/v1/users/self/communication_channels/push', {
      token: ida.token,
      form: { push_token: 'Token-XYZ' },
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ success: true });
    expect((await channelsOf('self', ida.token)).body).toEqual([]);
    const list = await app.allEvents();
    expect(
      list.some((e) => e.type === 'ChannelRemoved' && e.streamId === `channel-${push.body.id}`),
    ).toBe(true);
    const unknown = await app.request('DELETE', '/api/v1/users/self/communication_channels/push', {
      token: ida.token,
      form: { push_token: 'never-registered' },
    });
    expect([unknown.status, unknown.body]).toEqual([200, { success: true }]);
    const missing = await app.request('DELETE', '/api/v1/users/self/communication_channels/push', {
      token: ida.token,
    });
    expect(missing.status).toBe(400);
    expect(missing.body).toEqual({ errors: [{ message: 'push_token is missing' }] });
  });

  it('confirms a channel with its code (extension); a wrong or missing code changes nothing', async () => {
    const joe = await app.createUser('Joe Jay', 'joe-cc');
    const ch = await addChannel('self', joe.token, {
      'communication_channel[address]': 'joe@example.com',
    });
    const url = `/api/v1/users/self/communication_channels/${ch.body.id}/confirm`;
    const before = (await app.allEvents()).length;
    const wrong = await app.request('POST', url, { token: joe.token, form: { code: 'NOPE' } });
    expect(wrong.status).toBe(400);
    expect(wrong.body).toEqual({
      errors: { code: [{ attribute: 'code', type: 'invalid', message: 'invalid' }] },
    });
    const missing = await app.request('POST', url, { token: joe.token, form: {} });
    expect(missing.body).toEqual({ errors: [{ message: 'code is missing' }] });
    await expectNothingWritten(before);

    const ok = await app.request('POST', url, {
      token: joe.token,
      json: { code: (await codeOf(ch.body.id)).toLowerCase() },
    });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ id: ch.body.id, workflow_state: 'active' });
    expect((await channelsOf('self', joe.token)).body[0].workflow_state).toBe('active');
    const unknown = await app.request(
      'POST',
      '/api/v1/users/self/communication_channels/123456/confirm',
      { token: joe.token, form: { code: 'X' } },
    );
    expect(unknown.status).toBe(404);
  });

  describe('authorization matrix', () => {
    let owner: Who;
    let other: Who;
    let channelId: number;

    beforeAll(async () => {
      owner = await app.createUser('Kim Kent', 'kim-cc');
      other = await app.createUser('Lou Lane', 'lou-cc');
      const res = await addChannel('self', owner.token, {
        'communication_channel[address]': 'kim@example.com',
      });
      channelId = res.body.id;
    });

    const attempts = (): [string, string, Record<string, string>?][] => [
      ['GET', `/api/v1/users/${owner.id}/communication_channels`],
      [
        'POST',
        `/api/v1/users/${owner.id}/communication_channels`,
        { 'communication_channel[address]': 'intruder@example.com' },
      ],
      ['DELETE', `/api/v1/users/${owner.id}/communication_channels/${channelId}`],
      ['DELETE', `/api/v1/users/${owner.id}/communication_channels/email/kim@example.com`],
      [
        'POST',
        `/api/v1/users/${owner.id}/communication_channels/${channelId}/confirm`,
        { code: 'X' },
      ],
    ];

    it('refuses another user with Canvas’s 401 on every endpoint and writes nothing', async () => {
      const before = (await app.allEvents()).length;
      for (const [method, path, form] of attempts()) {
        const res = await app.request(method, path, { token: other.token, form });
        expect({ method, path, status: res.status, body: res.body }).toEqual({
          method,
          path,
          status: 401,
          body: {
            status: 'unauthorized',
            errors: [{ message: 'user not authorized to perform that action' }],
          },
        });
      }
      // Another user's push token cannot be removed through one's own `self`.
      await app.request('DELETE', '/api/v1/users/self/communication_channels/push', {
        token: other.token,
        form: { push_token: 'kim@example.com' },
      });
      await expectNothingWritten(before);
    });

    it('refuses a user id that is not the caller’s own channel as 404', async () => {
      const mine = await addChannel('self', other.token, {
        'communication_channel[address]': 'lou@example.com',
      });
      const crossed = await app.request(
        'DELETE',
        `/api/v1/users/${other.id}/communication_channels/${channelId}`,
        { token: other.token },
      );
      expect(crossed.status).toBe(404);
      expect(mine.status).toBe(200);
    });

    it('answers unknown users with 404 and no token with 401 unauthenticated', async () => {
      expect((await channelsOf(999999, ADMIN_TOKEN)).status).toBe(404);
      expect((await channelsOf('self', '')).status).toBe(401);
      const none = await app.request('GET', `/api/v1/users/${owner.id}/communication_channels`);
      expect(none.body).toMatchObject({ status: 'unauthenticated' });
    });

    it('lets a site admin list, add, confirm and delete any user’s channels', async () => {
      const listed = await channelsOf(owner.id, ADMIN_TOKEN);
      expect(listed.status).toBe(200);
      expect(listed.body.map((c: { id: number }) => c.id)).toEqual([channelId]);
      const added = await addChannel(owner.id, ADMIN_TOKEN, {
        'communication_channel[address]': 'kim-work@example.com',
      });
      expect(added.status).toBe(200);
      const confirmed = await app.request(
        'POST',
        `/api/v1/users/${owner.id}/communication_channels/${added.body.id}/confirm`,
        { token: ADMIN_TOKEN, form: { code: await codeOf(added.body.id) } },
      );
      expect(confirmed.body.workflow_state).toBe('active');
      const byAddress = await app.request(
        'DELETE',
        `/api/v1/users/${owner.id}/communication_channels/email/KIM@example.com`,
        { token: ADMIN_TOKEN },
      );
      expect(byAddress.body).toMatchObject({ id: channelId, workflow_state: 'retired' });
      const byId = await app.request(
        'DELETE',
        `/api/v1/users/${owner.id}/communication_channels/${added.body.id}`,
        { token: ADMIN_TOKEN },
      );
      expect(byId.body).toMatchObject({ workflow_state: 'retired' });
    });
  });
});
