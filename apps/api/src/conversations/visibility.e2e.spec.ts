import { TestApp } from '../testing/testApp';

/** `visible` answers for the scope and filters the request itself carries. */
describe('visible follows the request’s scope and filter[]', () => {
  let app: TestApp;
  let ada: { id: number; token: string };
  let bob: { id: number; token: string };
  let courseId: number;
  let conversationId: string;

  beforeAll(async () => {
    app = await TestApp.start();
    ada = await app.createUser('Ada', 'ada@example.com');
    bob = await app.createUser('Bob', 'bob@example.com');
    courseId = await app.courseWith(ada.id, bob.id);
    const created = await app.request('POST', '/api/v1/conversations', {
      token: ada.token,
      form: { 'recipients[]': String(bob.id), body: 'Hello', context_code: `course_${courseId}` },
    });
    expect(created.status).toBe(201);
    conversationId = String(created.body[0].id);
  });
  afterAll(() => app.stop());

  it.each([
    ['no filter', '', true],
    ['its course', `filter[]=course_${'COURSE'}`, true],
    ['another course', 'filter[]=course_999999', false],
    ['a participant', 'filter[]=user_ADA', true],
    ['a stranger', 'filter[]=user_999999', false],
    ['either (or)', 'filter[]=course_999999&filter[]=user_ADA', true],
    ['both (and)', 'filter[]=course_999999&filter[]=user_ADA&filter_mode=and', false],
    ['another scope', 'scope=archived', false],
  ])('on show, with %s', async (_name, query, visible) => {
    const q = query.replace('COURSE', String(courseId)).replace('ADA', String(ada.id));
    const reply = await app.request('GET', `/api/v1/conversations/${conversationId}?${q}`, {
      token: bob.token,
    });
    expect(reply.status).toBe(200);
    expect(reply.body.visible).toBe(visible);
  });

  it('on create, from the scope and filters in the body', async () => {
    const sent = await app.request('POST', '/api/v1/conversations', {
      token: ada.token,
      form: {
        'recipients[]': String(bob.id),
        body: 'Again',
        scope: 'sent',
        'filter[]': `user_${bob.id}`,
      },
    });
    expect(sent.status).toBe(201);
    expect(sent.body[0].visible).toBe(true);
    const elsewhere = await app.request('POST', '/api/v1/conversations', {
      token: ada.token,
      form: {
        'recipients[]': String(bob.id),
        body: 'Once more',
        scope: 'sent',
        'filter[]': 'user_999999',
      },
    });
    expect(elsewhere.body[0].visible).toBe(false);
  });

  it('refuses an unknown filter_mode on add_message and writes nothing', async () => {
    const before = (await app.allEvents()).length;
    const reply = await app.request('POST', `/api/v1/conversations/${conversationId}/add_message`, {
      token: bob.token,
      form: { body: 'Hi', filter_mode: 'xor' },
    });
    expect(reply.status).toBe(400);
    expect(reply.body).toEqual([{ attribute: 'filter_mode', message: 'invalid' }]);
    expect((await app.allEvents()).length).toBe(before);
  });
});
