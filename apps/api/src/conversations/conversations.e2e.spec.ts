import { ADMIN_TOKEN, TestApp } from '../testing/testApp';

describe('Conversations over HTTP', () => {
  let app: TestApp;
  let jane: { id: number; token: string };
  let bob: { id: number; token: string };
  let carl: { id: number; token: string };
  let courseId: number;

  beforeAll(async () => {
    app = await TestApp.start();
    jane = await app.createUser('Jane Doe', 'jane', 'Jane');
    bob = await app.createUser('Bob Roe', 'bob');
    carl = await app.createUser('Carl Cox', 'carl');
    courseId = await app.courseWith(jane.id, bob.id, carl.id);
  });
  afterAll(async () => {
    await app.stop();
  });

  it('creates a private conversation that the recipient sees on the very next GET', async () => {
    const created = await app.request('POST', '/api/v1/conversations', {
      token: jane.token,
      form: { 'recipients[]': [String(bob.id)], subject: 'Lunch?', body: 'Are you free at noon?' },
    });
    expect(created.status).toBe(201);
    expect(created.body).toHaveLength(1);
    const mine = created.body[0];
    // The sender's own view of a new conversation.
    expect(mine).toMatchObject({
      subject: 'Lunch?',
      workflow_state: 'read',
      last_message: null,
      last_message_at: null,
      last_authored_message: 'Are you free at noon?',
      message_count: 1,
      subscribed: true,
      private: true,
      starred: false,
      properties: ['last_author'],
      audience: [bob.id],
      // One-user audience: the course both share, with Bob's enrollment types, string keys.
      audience_contexts: { courses: { [String(courseId)]: ['StudentEnrollment'] }, groups: {} },
      visible: false,
      participants: [
        { id: jane.id, name: 'Jane', full_name: 'Jane Doe' },
        { id: bob.id, name: 'Bob Roe', full_name: 'Bob Roe' },
      ],
    });
    expect(Object.keys(mine)).toEqual([
      'id',
      'subject',
      'workflow_state',
      'last_message',
      'last_message_at',
      'last_authored_message',
      'last_authored_message_at',
      'message_count',
      'subscribed',
      'private',
      'starred',
      'properties',
      'audience',
      'audience_contexts',
      'avatar_url',
      'participants',
      'visible',
      'context_code',
      'messages',
    ]);
    expect(mine.messages).toEqual([
      {
        id: expect.any(Number),
        created_at: expect.stringMatching(/Z$/),
        body: 'Are you free at noon?',
        author_id: jane.id,
        generated: false,
        media_comment: null,
        forwarded_messages: [],
        attachments: [],
        participating_user_ids: [jane.id, bob.id],
      },
    ]);

    const listed = await app.request('GET', '/api/v1/conversations', { token: bob.token });
    expect(listed.status).toBe(200);
    expect(listed.body).toHaveLength(1);
    expect(listed.body[0]).toMatchObject({
      id: mine.id,
      workflow_state: 'unread',
      last_message: 'Are you free at noon?',
      message_count: 1,
      audience: [jane.id],
      visible: true,
      properties: [],
    });
    expect(listed.body[0].messages).toBeUndefined();

    // The sender's inbox does not show it until someone replies; a third user never sees it.
    expect((await app.request('GET', '/api/v1/conversations', { token: jane.token })).body).toEqual(
      [],
    );
    expect((await app.request('GET', '/api/v1/conversations', { token: carl.token })).body).toEqual(
      [],
    );
    // ...but it is under the sender's sent scope.
    const sent = await app.request('GET', '/api/v1/conversations?scope=sent', {
      token: jane.token,
    });
    expect(sent.body.map((c: { id: number }) => c.id)).toEqual([mine.id]);
  });

  it('reuses the private conversation of the same pair and ignores the new subject', async () => {
    const first = await app.request('POST', '/api/v1/conversations', {
      token: carl.token,
      json: { recipients: [String(jane.id)], subject: 'One', body: 'first' },
    });
    const second = await app.request('POST', '/api/v1/conversations', {
      token: jane.token,
      json: { recipients: String(carl.id), subject: 'Two', body: 'second' },
    });
    expect(second.status).toBe(201);
    expect(second.body[0].id).toBe(first.body[0].id);
    expect(second.body[0].subject).toBe('One');
    const carlView = (await app.request('GET', '/api/v1/conversations', { token: carl.token }))
      .body;
    const conv = carlView.find((c: { id: number }) => c.id === first.body[0].id);
    expect(conv).toMatchObject({
      message_count: 2,
      last_message: 'second',
      workflow_state: 'unread',
    });
  });

  it('accepts numeric JSON recipients and a comma-separated list', async () => {
    const dave = await app.createUser('Dave Dee', 'dave');
    await app.courseWith(dave.id, bob.id, carl.id);
    const res = await app.request('POST', '/api/v1/conversations', {
      token: dave.token,
      json: { recipients: `${bob.id},${carl.id}`, body: 'to both' },
    });
    expect(res.status).toBe(201);
    // Two recipients without group_conversation: one private conversation each (batch path).
    expect(res.body).toHaveLength(2);
    expect(
      res.body.every((c: { private: boolean; messages?: unknown }) => c.private && !c.messages),
    ).toBe(true);
    const group = await app.request('POST', '/api/v1/conversations', {
      token: dave.token,
      json: { recipients: [bob.id, carl.id], body: 'to the group', group_conversation: true },
    });
    expect(group.status).toBe(201);
    expect(group.body).toHaveLength(1);
    expect(group.body[0]).toMatchObject({
      private: false,
      audience: expect.arrayContaining([bob.id, carl.id]),
    });
    expect(group.body[0].avatar_url).toMatch(/avatar-group-50\.png$/);
  });

  it.each([
    ['no recipients', { body: 'hi' }, [{ attribute: 'recipients', message: 'blank' }]],
    [
      'unknown recipients',
      { 'recipients[]': ['424242'], body: 'hi' },
      [{ attribute: 'recipients', message: 'invalid' }],
    ],
    [
      'a blank body',
      { 'recipients[]': ['BOB'], body: '   ' },
      [{ attribute: 'body', message: 'blank' }],
    ],
    [
      'a non-string subject',
      { 'recipients[]': ['BOB'], 'subject[x]': 'y', body: 'hi' },
      [{ attribute: 'subject', message: 'invalid' }],
    ],
  ])('refuses %s with the bare-array error and writes nothing', async (_label, form, expected) => {
    const before = (await app.allEvents()).length;
    const withIds = Object.fromEntries(
      Object.entries(form).map(([k, v]) => [
        k,
        Array.isArray(v) ? v.map((x) => (x === 'BOB' ? String(bob.id) : x)) : v,
      ]),
    );
    const res = await app.request('POST', '/api/v1/conversations', {
      token: jane.token,
      form: withIds,
    });
    expect(res.status).toBe(400);
    expect(res.body).toEqual(expected);
    expect((await app.allEvents()).length).toBe(before);
  });

  it('refuses a subject over 255 characters with a model error and writes nothing', async () => {
    const before = (await app.allEvents()).length;
    const res = await app.request('POST', '/api/v1/conversations', {
      token: jane.token,
      form: {
        'recipients[]': String(carl.id),
        subject: 's'.repeat(256),
        body: 'hi',
        group_conversation: 'true',
      },
    });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      errors: { subject: [{ attribute: 'subject', type: 'too_long', message: 'too long' }] },
    });
    expect((await app.allEvents()).length).toBe(before);
  });

  it('refuses more than 100 recipients unless the request is a bulk message', async () => {
    const many = Array.from({ length: 101 }, (_, i) => i);
    const users = [];
    for (const i of many) users.push((await app.createUser(`Bulk ${i}`, `bulk${i}`)).id);
    await app.courseWith(jane.id, ...users);
    const before = (await app.allEvents()).length;
    const refused = await app.request('POST', '/api/v1/conversations', {
      token: jane.token,
      json: { recipients: users, body: 'everyone', group_conversation: true },
    });
    expect(refused.status).toBe(400);
    expect(refused.body).toEqual([
      { attribute: 'recipients', message: 'too many for group conversation' },
    ]);
    expect((await app.allEvents()).length).toBe(before);
  });

  it('pages with Canvas numbers and the exact Link header', async () => {
    const reader = await app.createUser('Page Reader', 'reader');
    const senders = [];
    for (let i = 0; i < 7; i++) senders.push(await app.createUser(`Sender ${i}`, `sender${i}`));
    await app.courseWith(reader.id, ...senders.map((s) => s.id));
    for (const s of senders) {
      const res = await app.request('POST', '/api/v1/conversations', {
        token: s.token,
        form: { 'recipients[]': String(reader.id), body: `from ${s.id}` },
      });
      expect(res.status).toBe(201);
    }
    const page2 = await app.request('GET', '/api/v1/conversations?per_page=3&page=2&scope=bogus', {
      token: reader.token,
    });
    expect(page2.status).toBe(200);
    expect(page2.body).toHaveLength(3);
    const base = `${app.running.url}/api/v1/conversations`;
    expect(page2.headers.get('link')).toBe(
      [
        `<${base}?scope=bogus&page=2&per_page=3>; rel="current"`,
        `<${base}?scope=bogus&page=3&per_page=3>; rel="next"`,
        `<${base}?scope=bogus&page=1&per_page=3>; rel="prev"`,
        `<${base}?scope=bogus&page=1&per_page=3>; rel="first"`,
        `<${base}?scope=bogus&page=3&per_page=3>; rel="last"`,
      ].join(','),
    );
    // Newest first, and pages do not overlap.
    const all = await app.request('GET', '/api/v1/conversations?per_page=100', {
      token: reader.token,
    });
    expect(all.body.map((c: { last_message: string }) => c.last_message)).toEqual(
      [...senders].reverse().map((s) => `from ${s.id}`),
    );
    expect(page2.body.map((c: { id: number }) => c.id)).toEqual(
      all.body.slice(3, 6).map((c: { id: number }) => c.id),
    );

    const wrapped = await app.request(
      'GET',
      '/api/v1/conversations?per_page=2&include_all_conversation_ids=true&include[]=participant_avatars',
      { token: reader.token },
    );
    expect(wrapped.body.conversations).toHaveLength(2);
    expect(wrapped.body.conversation_ids).toEqual(all.body.map((c: { id: number }) => c.id));
    expect(wrapped.body.conversations[0].participants[0].avatar_url).toMatch(/avatar-50\.png$/);
    expect(all.body[0].participants[0].avatar_url).toBeUndefined();
    const badInclude = await app.request('GET', '/api/v1/conversations?include[]=everything', {
      token: reader.token,
    });
    expect(badInclude.status).toBe(400);

    const past = await app.request('GET', '/api/v1/conversations?page=9', { token: reader.token });
    expect(past.status).toBe(200);
    expect(past.body).toEqual([]);
    const clamped = await app.request('GET', '/api/v1/conversations?per_page=1000', {
      token: reader.token,
    });
    expect(clamped.headers.get('link')).toContain('per_page=100>');
    const defaulted = await app.request('GET', '/api/v1/conversations', { token: reader.token });
    expect(defaulted.headers.get('link')).toContain('page=1&per_page=10>; rel="current"');
    const bad = await app.request('GET', '/api/v1/conversations?page=abc', { token: reader.token });
    expect(bad.status).toBe(404);
  });

  it("gives every scope's last link and unread_count from the totals the projection keeps", async () => {
    const reader = await app.createUser('Scope Reader', 'scopereader');
    const senders = [];
    for (let i = 0; i < 6; i++) senders.push(await app.createUser(`Scope ${i}`, `scope${i}`));
    await app.courseWith(reader.id, ...senders.map((s) => s.id));
    const ids: number[] = [];
    for (const s of senders) {
      const res = await app.request('POST', '/api/v1/conversations', {
        token: s.token,
        form: { 'recipients[]': String(reader.id), body: `hello from ${s.id}` },
      });
      expect(res.status).toBe(201);
      ids.push(res.body[0].id);
    }
    const update = async (id: number, form: Record<string, string>) =>
      expect(
        (await app.request('PUT', `/api/v1/conversations/${id}`, { token: reader.token, form }))
          .status,
      ).toBe(200);
    await update(ids[0]!, { 'conversation[workflow_state]': 'archived' });
    await update(ids[1]!, { 'conversation[workflow_state]': 'archived' });
    await update(ids[2]!, { 'conversation[workflow_state]': 'read' });
    await update(ids[2]!, { 'conversation[starred]': 'true' });
    await update(ids[3]!, { 'conversation[starred]': 'true' });
    const reply = await app.request('POST', `/api/v1/conversations/${ids[4]}/add_message`, {
      token: reader.token,
      form: { body: 'thanks' },
    });
    expect(reply.status).toBe(200);

    // A reply does not mark the replier's own row read, so 4 stays unread.
    const expected = { inbox: 4, unread: 3, archived: 2, starred: 2, sent: 1 };
    for (const [scope, total] of Object.entries(expected)) {
      const listed = await app.request('GET', `/api/v1/conversations?scope=${scope}&per_page=100`, {
        token: reader.token,
      });
      expect([scope, listed.body.length]).toEqual([scope, total]);
      const paged = await app.request('GET', `/api/v1/conversations?scope=${scope}&per_page=1`, {
        token: reader.token,
      });
      expect(paged.headers.get('link')).toContain(
        `scope=${scope}&page=${total}&per_page=1>; rel="last"`,
      );
    }
    const unread = await app.request('GET', '/api/v1/conversations/unread_count', {
      token: reader.token,
    });
    expect(unread.body).toEqual({ unread_count: '3' });
    // Filtered lists count in the index: a course filter sees the same inbox.
    const filtered = await app.request(
      'GET',
      `/api/v1/conversations?per_page=1&filter[]=user_${senders[5]!.id}`,
      { token: reader.token },
    );
    expect(filtered.headers.get('link')).toContain('page=1&per_page=1>; rel="last"');
  });

  it('lets users message only those they share a course or group with; admins anyone', async () => {
    const loner = await app.createUser('Lone Wolf', 'loner');
    const before = (await app.allEvents()).length;
    const refused = await app.request('POST', '/api/v1/conversations', {
      token: jane.token,
      form: { 'recipients[]': String(loner.id), body: 'hello?' },
    });
    expect(refused.status).toBe(400);
    expect(refused.body).toEqual([{ attribute: 'recipients', message: 'invalid' }]);
    expect((await app.allEvents()).length).toBe(before);

    const group = await app.request('POST', '/api/v1/groups', {
      token: ADMIN_TOKEN,
      form: { name: 'Pack' },
    });
    for (const id of [jane.id, loner.id]) {
      const added = await app.request('POST', `/api/v1/groups/${group.body.id}/memberships`, {
        token: ADMIN_TOKEN,
        form: { user_id: String(id) },
      });
      expect(added.status).toBe(200);
    }
    const viaGroup = await app.request('POST', '/api/v1/conversations', {
      token: jane.token,
      form: { 'recipients[]': String(loner.id), body: 'found you' },
    });
    expect(viaGroup.status).toBe(201);

    const stranger = await app.createUser('Total Stranger', 'stranger');
    const fromAdmin = await app.request('POST', '/api/v1/conversations', {
      token: ADMIN_TOKEN,
      form: { 'recipients[]': String(stranger.id), body: 'from the admin' },
    });
    expect(fromAdmin.status).toBe(201);
    const inbox = await app.request('GET', '/api/v1/conversations', { token: stranger.token });
    expect(inbox.body.map((c: { last_message: string }) => c.last_message)).toEqual([
      'from the admin',
    ]);
  });

  it('does not count an inactive enrollment as shared', async () => {
    const a = await app.createUser('Inactive A', 'inactive-a');
    const b = await app.createUser('Inactive B', 'inactive-b');
    const course = await app.courseWith(a.id);
    const enrolled = await app.request('POST', `/api/v1/courses/${course}/enrollments`, {
      token: ADMIN_TOKEN,
      form: { 'enrollment[user_id]': String(b.id), 'enrollment[enrollment_state]': 'inactive' },
    });
    expect(enrolled.status).toBe(200);
    const res = await app.request('POST', '/api/v1/conversations', {
      token: a.token,
      form: { 'recipients[]': String(b.id), body: 'hi' },
    });
    expect(res.body).toEqual([{ attribute: 'recipients', message: 'invalid' }]);
  });

  it('filters by course, group and participant with or/and, and refuses a bad filter_mode', async () => {
    const gil = await app.createUser('Gil Green', 'gil');
    const hal = await app.createUser('Hal Hill', 'hal');
    const course = await app.courseWith(gil.id, hal.id);
    const group = await app.request('POST', '/api/v1/groups', {
      token: ADMIN_TOKEN,
      form: { name: 'G' },
    });
    for (const id of [gil.id, jane.id]) {
      await app.request('POST', `/api/v1/groups/${group.body.id}/memberships`, {
        token: ADMIN_TOKEN,
        form: { user_id: String(id) },
      });
    }
    const viaCourse = await app.request('POST', '/api/v1/conversations', {
      token: hal.token,
      form: { 'recipients[]': String(gil.id), body: 'course talk' },
    });
    const viaGroup = await app.request('POST', '/api/v1/conversations', {
      token: jane.token,
      form: { 'recipients[]': String(gil.id), body: 'group talk' },
    });
    const list = async (query: string) =>
      (await app.request('GET', `/api/v1/conversations?${query}`, { token: gil.token })).body.map(
        (c: { id: number }) => c.id,
      );
    expect(await list(`filter[]=course_${course}`)).toEqual([viaCourse.body[0].id]);
    expect(await list(`filter=group_${group.body.id}`)).toEqual([viaGroup.body[0].id]);
    expect(await list(`filter[]=user_${jane.id}`)).toEqual([viaGroup.body[0].id]);
    expect(await list(`filter[]=user_${jane.id}&filter[]=user_${hal.id}`)).toEqual([
      viaGroup.body[0].id,
      viaCourse.body[0].id,
    ]);
    expect(await list(`filter[]=user_${jane.id}&filter[]=user_${hal.id}&filter_mode=and`)).toEqual(
      [],
    );
    expect(await list('filter[]=')).toHaveLength(2);
    const inbox = await app.request('GET', '/api/v1/conversations', { token: gil.token });
    const groupView = inbox.body.find((c: { id: number }) => c.id === viaGroup.body[0].id);
    expect(groupView.audience_contexts).toEqual({
      courses: {},
      groups: { [String(group.body.id)]: ['Member'] },
    });
    const bad = await app.request('GET', '/api/v1/conversations?filter_mode=xor', {
      token: gil.token,
    });
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual([{ attribute: 'filter_mode', message: 'invalid' }]);
  });

  it('needs a token', async () => {
    const res = await app.request('GET', '/api/v1/conversations');
    expect(res.status).toBe(401);
  });
});
