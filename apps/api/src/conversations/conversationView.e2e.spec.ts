import { ADMIN_TOKEN, TestApp } from '../testing/testApp';

describe('One conversation over HTTP: show, update, delete, add_message, unread counts', () => {
  let app: TestApp;
  let ann: { id: number; token: string };
  let ben: { id: number; token: string };
  let cy: { id: number; token: string };

  beforeAll(async () => {
    app = await TestApp.start();
    ann = await app.createUser('Ann Able', 'ann', 'Ann');
    ben = await app.createUser('Ben Best', 'ben', 'Ben');
    cy = await app.createUser('Cy Cole', 'cy', 'Cy');
    await app.courseWith(ann.id, ben.id, cy.id);
  });
  afterAll(async () => {
    await app.stop();
  });

  async function start(
    from: { token: string },
    to: number[],
    body: string,
    group = true,
  ): Promise<number> {
    const res = await app.request('POST', '/api/v1/conversations', {
      token: from.token,
      json: { recipients: to, body, group_conversation: group },
    });
    expect(res.status).toBe(201);
    return res.body[0].id;
  }

  it('shows messages newest first and marks the conversation read', async () => {
    const id = await start(ann, [ben.id], 'first');
    const reply = await app.request('POST', `/api/v1/conversations/${id}/add_message`, {
      token: ben.token,
      form: { body: 'second' },
    });
    expect(reply.status).toBe(200);
    expect(reply.body.messages.map((m: { body: string }) => m.body)).toEqual(['second']);
    expect(reply.body).toMatchObject({
      last_message: 'second',
      message_count: 2,
      properties: ['last_author'],
    });

    expect(
      (await app.request('GET', '/api/v1/conversations/unread_count', { token: ann.token })).body,
    ).toEqual({
      unread_count: '1',
    });
    const peek = await app.request('GET', `/api/v1/conversations/${id}?auto_mark_as_read=false`, {
      token: ann.token,
    });
    expect(peek.body.workflow_state).toBe('unread');
    const shown = await app.request('GET', `/api/v1/conversations/${id}`, { token: ann.token });
    expect(shown.status).toBe(200);
    expect(shown.body).toMatchObject({
      workflow_state: 'read',
      visible: true,
      submissions: [],
      context_name: null,
    });
    expect(shown.body.messages.map((m: { body: string }) => m.body)).toEqual(['second', 'first']);
    expect(shown.body.participants[0]).toMatchObject({
      avatar_url: expect.any(String),
      common_courses: {},
    });
    expect(
      (await app.request('GET', '/api/v1/conversations/unread_count', { token: ann.token })).body
        .unread_count,
    ).toBe('0');
    // Marked read while asking for the unread scope: no longer visible there.
    await app.request('POST', `/api/v1/conversations/${id}/add_message`, {
      token: ben.token,
      form: { body: 'third' },
    });
    const scoped = await app.request('GET', `/api/v1/conversations/${id}?scope=unread`, {
      token: ann.token,
    });
    expect(scoped.body).toMatchObject({ workflow_state: 'read', visible: false });
  });

  it('updates workflow state, star and subscription, with Canvas errors for bad input', async () => {
    const id = await start(ann, [ben.id, cy.id], 'group talk');
    const starred = await app.request('PUT', `/api/v1/conversations/${id}`, {
      token: ben.token,
      form: { 'conversation[starred]': 'true', 'conversation[workflow_state]': 'archived' },
    });
    expect(starred.status).toBe(200);
    expect(starred.body).toMatchObject({
      starred: true,
      workflow_state: 'archived',
      visible: false,
    });
    const listedStarred = await app.request('GET', '/api/v1/conversations?scope=starred', {
      token: ben.token,
    });
    expect(listedStarred.body.map((c: { id: number }) => c.id)).toContain(id);

    const unsubscribed = await app.request('PUT', `/api/v1/conversations/${id}`, {
      token: cy.token,
      json: { conversation: { subscribed: false } },
    });
    expect(unsubscribed.body).toMatchObject({ subscribed: false, workflow_state: 'read' });
    const lastSeenAt = unsubscribed.body.last_message_at;
    await app.request('POST', `/api/v1/conversations/${id}/add_message`, {
      token: ann.token,
      form: { body: 'news' },
    });
    const quiet = await app.request('GET', `/api/v1/conversations/${id}?auto_mark_as_read=0`, {
      token: cy.token,
    });
    // The copy arrives (count and preview), but the row neither moves nor turns unread.
    expect(quiet.body).toMatchObject({
      workflow_state: 'read',
      last_message: 'news',
      message_count: 2,
      last_message_at: lastSeenAt,
    });

    const before = (await app.allEvents()).length;
    const missing = await app.request('PUT', `/api/v1/conversations/${id}`, {
      token: ben.token,
      form: {},
    });
    expect(missing.status).toBe(400);
    expect(missing.body).toEqual({ errors: [{ message: 'conversation is missing' }] });
    const bad = await app.request('PUT', `/api/v1/conversations/${id}`, {
      token: ben.token,
      form: { 'conversation[workflow_state]': 'deleted' },
    });
    expect(bad.status).toBe(400);
    expect((await app.allEvents()).length).toBe(before);
  });

  it('deletes the conversation for this user only, and add_message still works afterwards', async () => {
    const id = await start(ann, [ben.id], 'to be deleted');
    const deleted = await app.request('DELETE', `/api/v1/conversations/${id}`, {
      token: ben.token,
    });
    expect(deleted.status).toBe(200);
    expect(deleted.body).toMatchObject({
      last_message: null,
      last_message_at: null,
      message_count: 0,
      properties: [],
      workflow_state: 'read',
      starred: false,
      visible: false,
    });
    expect(
      (await app.request('GET', `/api/v1/conversations/${id}`, { token: ben.token })).status,
    ).toBe(404);
    const annView = await app.request('GET', `/api/v1/conversations/${id}`, { token: ann.token });
    expect(annView.body.message_count).toBe(1);
    const back = await app.request('POST', `/api/v1/conversations/${id}/add_message`, {
      token: ben.token,
      form: { body: 'changed my mind' },
    });
    expect(back.status).toBe(200);
    expect(back.body.message_count).toBe(1);
  });

  it('refuses a blank reply, strangers and unknown ids without writing', async () => {
    const id = await start(ann, [ben.id], 'private-ish');
    const before = (await app.allEvents()).length;
    const blank = await app.request('POST', `/api/v1/conversations/${id}/add_message`, {
      token: ann.token,
      form: { body: '  ' },
    });
    expect(blank.status).toBe(400);
    expect(blank.body).toEqual([
      { attribute: 'empty_message', message: 'Unable to create message without a body' },
    ]);
    for (const [method, path] of [
      ['GET', `/api/v1/conversations/${id}`],
      ['PUT', `/api/v1/conversations/${id}`],
      ['DELETE', `/api/v1/conversations/${id}`],
      ['POST', `/api/v1/conversations/${id}/add_message`],
      ['GET', '/api/v1/conversations/99999'],
      ['GET', '/api/v1/conversations/abc'],
    ] as const) {
      const res = await app.request(method, path, {
        token: cy.token,
        ...(method === 'GET' ? {} : { form: { body: 'sneaky', 'conversation[starred]': 'true' } }),
      });
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ errors: [{ message: 'The specified resource does not exist.' }] });
    }
    expect((await app.allEvents()).length).toBe(before);
  });

  it('marks everything read', async () => {
    await start(cy, [ann.id], 'one');
    await start(cy, [ann.id], 'two');
    expect(
      Number(
        (await app.request('GET', '/api/v1/conversations/unread_count', { token: ann.token })).body
          .unread_count,
      ),
    ).toBeGreaterThanOrEqual(2);
    const res = await app.request('POST', '/api/v1/conversations/mark_all_as_read', {
      token: ann.token,
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({});
    expect(
      (await app.request('GET', '/api/v1/conversations/unread_count', { token: ann.token })).body,
    ).toEqual({
      unread_count: '0',
    });
  });

  it('adds recipients with a generated announcement; they see every earlier message', async () => {
    const dee = await app.createUser('Dee Dunn', 'dee', 'Dee');
    const eve = await app.createUser('Eve East', 'eve', 'Eve');
    await app.courseWith(ann.id, dee.id, eve.id);
    const id = await start(ann, [ben.id], 'before they came');
    const res = await app.request('POST', `/api/v1/conversations/${id}/add_recipients`, {
      token: ann.token,
      form: { 'recipients[]': [String(eve.id), String(dee.id), String(ben.id)] },
    });
    expect(res.status).toBe(200);
    expect(res.body.messages).toEqual([
      expect.objectContaining({
        body: 'Dee and Eve were added to the conversation by Ann',
        generated: true,
      }),
    ]);
    expect(res.body.audience).toEqual(expect.arrayContaining([ben.id, dee.id, eve.id]));
    const deeView = await app.request(
      'GET',
      `/api/v1/conversations/${id}?auto_mark_as_read=false`,
      { token: dee.token },
    );
    expect(deeView.body).toMatchObject({
      workflow_state: 'unread',
      message_count: 1,
      last_message: 'before they came',
    });
    expect(deeView.body.messages.map((m: { generated: boolean }) => m.generated)).toEqual([
      true,
      false,
    ]);

    const priv = await start(ann, [cy.id], 'just us', false);
    const before = (await app.allEvents()).length;
    const nobodyNew = await app.request('POST', `/api/v1/conversations/${id}/add_recipients`, {
      token: ann.token,
      form: { 'recipients[]': [String(ben.id)] },
    });
    expect(nobodyNew.status).toBe(400);
    expect(nobodyNew.body).toEqual({});
    const refused = await app.request('POST', `/api/v1/conversations/${priv}/add_recipients`, {
      token: ann.token,
      form: { 'recipients[]': [String(ben.id)] },
    });
    expect(refused.status).toBe(400);
    expect(refused.body).toEqual([
      { attribute: 'recipients', message: 'Cannot add participants to a private conversation' },
    ]);
    // Adding to a conversation you are not in is a 404.
    const stranger = await app.request('POST', `/api/v1/conversations/${priv}/add_recipients`, {
      token: ben.token,
      form: { 'recipients[]': [String(dee.id)] },
    });
    expect(stranger.status).toBe(404);
    expect((await app.allEvents()).length).toBe(before);
  });

  it('removes messages for this user only', async () => {
    const id = await start(ann, [ben.id], 'keep me');
    const reply = await app.request('POST', `/api/v1/conversations/${id}/add_message`, {
      token: ben.token,
      form: { body: 'remove me' },
    });
    const removeId = reply.body.messages[0].id;
    const res = await app.request('POST', `/api/v1/conversations/${id}/remove_messages`, {
      token: ann.token,
      form: { 'remove[]': [String(removeId)] },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ message_count: 1, last_message: 'keep me' });
    const benView = await app.request('GET', `/api/v1/conversations/${id}`, { token: ben.token });
    expect(benView.body.message_count).toBe(2);
    const nothing = await app.request('POST', `/api/v1/conversations/${id}/remove_messages`, {
      token: ann.token,
      form: {},
    });
    expect(nothing.status).toBe(204);
  });

  it('adds users named in add_message silently to a group conversation', async () => {
    const fay = await app.createUser('Fay Fox', 'fay', 'Fay');
    await app.courseWith(ann.id, fay.id);
    const id = await start(ann, [ben.id, cy.id], 'earlier news');
    const res = await app.request('POST', `/api/v1/conversations/${id}/add_message`, {
      token: ann.token,
      form: { body: 'just for Ben and Fay', 'recipients[]': [String(ben.id), String(fay.id)] },
    });
    expect(res.status).toBe(200);
    expect(res.body.messages[0].participating_user_ids.sort()).toEqual(
      [ann.id, ben.id, fay.id].sort(),
    );
    const fayView = await app.request(
      'GET',
      `/api/v1/conversations/${id}?auto_mark_as_read=false`,
      { token: fay.token },
    );
    expect(fayView.body).toMatchObject({
      workflow_state: 'unread',
      message_count: 1,
      last_message: 'just for Ben and Fay',
    });
    expect(fayView.body.messages).toHaveLength(1);
    const cyView = await app.request('GET', `/api/v1/conversations/${id}`, { token: cy.token });
    expect(cyView.body.message_count).toBe(1);
    // A stranger cannot be pulled in.
    const loner = await app.createUser('Lone Some', 'lonesome');
    const refused = await app.request('POST', `/api/v1/conversations/${id}/add_message`, {
      token: ann.token,
      form: { body: 'hi', 'recipients[]': [String(loner.id)] },
    });
    expect(refused.status).toBe(400);
    expect(refused.body).toEqual([{ attribute: 'recipients', message: 'invalid' }]);
  });

  it('expands course and group recipients by role, and validates context_code', async () => {
    const teacher = await app.createUser('Tess Teach', 'tess');
    const s1 = await app.createUser('Sam One', 'sam1');
    const s2 = await app.createUser('Sue Two', 'sue2');
    const course = await app.request('POST', '/api/v1/accounts/self/courses', {
      token: ADMIN_TOKEN,
      form: { 'course[name]': 'Chemistry' },
    });
    const enroll = (userId: number, type: string) =>
      app.request('POST', `/api/v1/courses/${course.body.id}/enrollments`, {
        token: ADMIN_TOKEN,
        form: {
          'enrollment[user_id]': String(userId),
          'enrollment[type]': type,
          'enrollment[enrollment_state]': 'active',
        },
      });
    await enroll(teacher.id, 'TeacherEnrollment');
    await enroll(s1.id, 'StudentEnrollment');
    await enroll(s2.id, 'StudentEnrollment');
    const code = `course_${course.body.id}`;

    const toAll = await app.request('POST', '/api/v1/conversations', {
      token: teacher.token,
      json: {
        recipients: [code],
        body: 'welcome all',
        group_conversation: true,
        context_code: code,
      },
    });
    expect(toAll.status).toBe(201);
    expect(toAll.body[0].audience.sort()).toEqual([s1.id, s2.id].sort());
    expect(toAll.body[0].context_code).toBe(code);
    const shown = await app.request('GET', `/api/v1/conversations/${toAll.body[0].id}`, {
      token: s1.token,
    });
    expect(shown.body.context_name).toBe('Chemistry');

    const before = (await app.allEvents()).length;
    const restricted = await app.request('POST', '/api/v1/conversations', {
      token: s1.token,
      json: { recipients: [code], body: 'hi everyone', group_conversation: true },
    });
    expect(restricted.status).toBe(400);
    expect(restricted.body).toEqual([{ attribute: 'recipients', message: 'restricted by role' }]);
    const badContext = await app.request('POST', '/api/v1/conversations', {
      token: s1.token,
      json: { recipients: [String(s2.id)], body: 'hi', context_code: 'course_999999' },
    });
    expect(badContext.body).toEqual([{ attribute: 'context_code', message: 'invalid' }]);
    expect((await app.allEvents()).length).toBe(before);

    const toTeachers = await app.request('POST', '/api/v1/conversations', {
      token: s1.token,
      json: { recipients: [`${code}_teachers`], body: 'question', group_conversation: true },
    });
    expect(toTeachers.status).toBe(201);
    expect(toTeachers.body[0].audience).toEqual([teacher.id]);
  });

  it('stores media comments as given and refuses attachment ids (no files exist)', async () => {
    const res = await app.request('POST', '/api/v1/conversations', {
      token: ann.token,
      form: {
        'recipients[]': String(ben.id),
        body: 'listen',
        group_conversation: 'true',
        media_comment_id: 'm-123',
        media_comment_type: 'audio',
      },
    });
    expect(res.status).toBe(201);
    expect(res.body[0].messages[0].media_comment).toMatchObject({
      'content-type': 'audio/mp4',
      media_id: 'm-123',
      media_type: 'audio',
    });
    expect(res.body[0].properties).toEqual(['last_author', 'media_objects']);

    const before = (await app.allEvents()).length;
    const withFile = await app.request('POST', '/api/v1/conversations', {
      token: ann.token,
      form: { 'recipients[]': String(ben.id), body: 'see file', 'attachment_ids[]': '77' },
    });
    expect(withFile.status).toBe(400);
    expect(withFile.body).toEqual([{ attribute: 'attachment_ids', message: 'invalid' }]);
    const replyWithFile = await app.request(
      'POST',
      `/api/v1/conversations/${res.body[0].id}/add_message`,
      {
        token: ann.token,
        form: { body: 'file', 'attachment_ids[]': '77' },
      },
    );
    expect(replyWithFile.status).toBe(400);
    expect((await app.allEvents()).length).toBe(before);
  });

  it('reuses a private conversation the sender deleted, and a new message unarchives it', async () => {
    const first = await start(ann, [cy.id], 'hello again', false);
    await app.request('DELETE', `/api/v1/conversations/${first}`, { token: ann.token });
    const second = await start(ann, [cy.id], 'back again', false);
    expect(second).toBe(first);

    await app.request('PUT', `/api/v1/conversations/${first}`, {
      token: cy.token,
      form: { 'conversation[workflow_state]': 'archived' },
    });
    await app.request('POST', `/api/v1/conversations/${first}/add_message`, {
      token: ann.token,
      form: { body: 'ping' },
    });
    const cyView = await app.request(
      'GET',
      `/api/v1/conversations/${first}?auto_mark_as_read=false`,
      { token: cy.token },
    );
    expect(cyView.body.workflow_state).toBe('unread');
  });

  it('lands every one of many concurrent add_message calls', async () => {
    const id = await start(ann, [ben.id, cy.id], 'race start');
    const replies = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        app.request('POST', `/api/v1/conversations/${id}/add_message`, {
          token: [ann, ben, cy][i % 3]!.token,
          form: { body: `reply ${i}` },
        }),
      ),
    );
    expect(replies.map((r) => r.status)).toEqual(Array(40).fill(200));
    const view = await app.request('GET', `/api/v1/conversations/${id}`, { token: ann.token });
    expect(view.body.message_count).toBe(41);
    expect(new Set(view.body.messages.map((m: { body: string }) => m.body)).size).toBe(41);
  });

  it('forwards included messages to recipients who lack them', async () => {
    const gus = await app.createUser('Gus Gray', 'gus', 'Gus');
    await app.courseWith(ann.id, gus.id);
    const id = await start(ann, [ben.id], 'original words');
    const shown = await app.request('GET', `/api/v1/conversations/${id}`, { token: ann.token });
    const original = shown.body.messages[0].id;
    const res = await app.request('POST', `/api/v1/conversations/${id}/add_message`, {
      token: ann.token,
      form: {
        body: 'see above, Gus',
        'recipients[]': String(gus.id),
        'included_messages[]': String(original),
      },
    });
    expect(res.status).toBe(200);
    expect(res.body.messages[0].forwarded_messages).toEqual([
      expect.objectContaining({ id: original, body: 'original words' }),
    ]);
    const gusView = await app.request(
      'GET',
      `/api/v1/conversations/${id}?auto_mark_as_read=false`,
      { token: gus.token },
    );
    expect(gusView.body.messages.map((m: { body: string }) => m.body)).toEqual([
      'see above, Gus',
      'original words',
    ]);
    expect(gusView.body.message_count).toBe(2);

    const other = await start(ann, [ben.id], 'elsewhere');
    const elsewhere = (
      await app.request('GET', `/api/v1/conversations/${other}`, { token: ann.token })
    ).body.messages[0].id;
    const before = (await app.allEvents()).length;
    const wrong = await app.request('POST', `/api/v1/conversations/${id}/add_message`, {
      token: ann.token,
      form: { body: 'x', 'included_messages[]': String(elsewhere) },
    });
    expect(wrong.body).toEqual([
      { attribute: 'included_messages', message: 'not for this conversation' },
    ]);
    await app.request('POST', `/api/v1/conversations/${id}/remove_messages`, {
      token: ben.token,
      form: { 'remove[]': String(original) },
    });
    const notHeld = await app.request('POST', `/api/v1/conversations/${id}/add_message`, {
      token: ben.token,
      form: { body: 'y', 'included_messages[]': String(original) },
    });
    expect(notHeld.body).toEqual([
      { attribute: 'included_messages', message: 'not a participant' },
    ]);
    expect((await app.allEvents()).length).toBe(before + 1); // only Ben's removal
  });
});
