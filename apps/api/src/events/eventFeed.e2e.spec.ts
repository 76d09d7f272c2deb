import { ADMIN_TOKEN, TestApp } from '../testing/testApp';
import { readFeed } from './testing/readFeed';

describe('CloudEvents feed (GET /api/v1/events)', () => {
  let app: TestApp;
  let ada: { id: number; token: string };

  beforeAll(async () => {
    app = await TestApp.start();
    ada = await app.createUser('Ada', 'ada@example.com');
    const bob = await app.createUser('Bob', 'bob@example.com');
    await app.courseWith(ada.id, bob.id);
    const created = await app.request('POST', '/api/v1/conversations', {
      token: ada.token,
      form: { 'recipients[]': String(bob.id), body: 'Hello' },
    });
    expect(created.status).toBe(201);
  });
  afterAll(() => app.stop());

  it('streams public events as CloudEvents, ids being log positions', async () => {
    const stored = (await app.allEvents()).filter((e) =>
      ['UserRegistered', 'ConversationStarted', 'MessageAdded'].includes(e.type),
    );
    const frames = await readFeed(
      app,
      '?type=UserRegistered&type=com.missive.ConversationStarted,MessageAdded',
      stored.length,
    );
    expect(frames.map((f) => f.data['id'])).toEqual(stored.map((e) => e.id));
    const message = frames.find((f) => f.event === 'com.missive.MessageAdded')!;
    expect(message.data).toMatchObject({
      specversion: '1.0',
      source: '/missive',
      type: 'com.missive.MessageAdded',
      datacontenttype: 'application/json',
      dataschema: 'urn:missive:events:MessageAdded:v1',
      data: { body: 'Hello', authorId: String(ada.id) },
    });
    expect(message.id).toBe(message.data['position']);
  });

  it('never carries internal events such as token issuance', async () => {
    const publicCount = (await app.allEvents()).filter(
      (e) =>
        ![
          'AccessTokenIssued',
          'LoginClaimed',
          'PrivateConversationClaimed',
          'ChannelAddressClaimed',
          'KeyStoreBound',
        ].includes(e.type),
    ).length;
    const frames = await readFeed(app, '', publicCount);
    expect(frames.map((f) => f.event)).not.toContain('com.missive.AccessTokenIssued');
    expect(frames).toHaveLength(publicCount);
  });

  it('resumes strictly after Last-Event-ID', async () => {
    const all = await readFeed(app, '?type=UserRegistered', 2);
    const rest = await readFeed(app, '?type=UserRegistered', 1, { 'last-event-id': all[0]!.id });
    expect(rest[0]!.id).toBe(all[1]!.id);
  });

  it.each([
    ['an unreadable Last-Event-ID', '', { 'last-event-id': 'yesterday' }, 400],
    ['an after that no event has (5/3)', '?after=5/3', {}, 400],
    ['an after past the end of the log', '?after=999999999/999999999', {}, 400],
    [
      'a Last-Event-ID past the end of the log',
      '',
      { 'last-event-id': '999999999/999999999' },
      400,
    ],
    ['an unknown type', '?type=Nope', {}, 400],
    ['an internal type', '?type=AccessTokenIssued', {}, 400],
  ])('refuses %s', async (_name, query, headers, status) => {
    const reply = await app.request('GET', `/api/v1/events${query}`, {
      token: ADMIN_TOKEN,
      headers,
    });
    expect(reply.status).toBe(status);
    expect(reply.body.errors[0].message).toEqual(expect.any(String));
  });

  it('is for site admins only', async () => {
    const reply = await app.request('GET', '/api/v1/events', { token: ada.token });
    expect(reply.status).toBe(401);
    const anonymous = await app.request('GET', '/api/v1/events');
    expect(anonymous.status).toBe(401);
  });
});
