import {
  IdGenerator,
  claimConversationBatch,
  evolveConversationBatch,
  startConversationBatch,
  streams,
} from '@missive/domain';
import { toEventData } from '@missive/command-handling';
import { ADMIN_TOKEN, TestApp } from '../testing/testApp';

/**
 * Wire details a Canvas client notices, each checked against Canvas's own source
 * (instructure/canvas-lms) before it was changed here.
 */
describe('Canvas wire details', () => {
  let app: TestApp;
  let ann: { id: number; token: string };
  let ben: { id: number; token: string };
  let cy: { id: number; token: string };
  let courseId: number;

  beforeAll(async () => {
    app = await TestApp.start({ JOB_SWEEP_INTERVAL_MS: '3600000' });
    ann = await app.createUser('Ann Able', 'ann', 'Ann');
    ben = await app.createUser('Ben Best', 'ben', 'Ben');
    cy = await app.createUser('Cy Cole', 'cy', 'Cy');
    courseId = await app.courseWith(ann.id, ben.id, cy.id);
  });
  afterAll(async () => {
    await app.stop();
  });

  async function start(from: { token: string }, json: Record<string, unknown>) {
    const res = await app.request('POST', '/api/v1/conversations', { token: from.token, json });
    expect(res.status).toBe(201);
    return res;
  }

  /** Each participant shares the course with the viewer as a student. */
  const inCourse = () => ({ [String(courseId)]: ['StudentEnrollment'] });

  // app/controllers/conversations_controller.rb #index calls conversations_json(...,
  // include_context_name: true), and lib/api/v1/conversation.rb#conversations_json then sets
  // result[:context_name] from the context's name on each item.
  it('1. lists each conversation with its context_name', async () => {
    const created = await start(ann, {
      recipients: [ben.id],
      body: 'about the course',
      group_conversation: true,
      context_code: `course_${courseId}`,
    });
    const list = await app.request('GET', '/api/v1/conversations', { token: ben.token });
    const item = list.body.find((c: { id: number }) => c.id === created.body[0].id);
    expect(item).toMatchObject({
      context_code: `course_${courseId}`,
      context_name: 'Shared course',
    });
    const plain = await start(ann, { recipients: [cy.id], body: 'no context' });
    const again = await app.request('GET', '/api/v1/conversations', { token: cy.token });
    expect(again.body.find((c: { id: number }) => c.id === plain.body[0].id)).toHaveProperty(
      'context_name',
      null,
    );
  });

  // lib/api/v1/conversation.rb: conversation_json defaults include_participant_contexts to
  // true and conversation_users_json defaults include_participant_avatars to true;
  // conversation_user_json then adds common_courses/common_groups from
  // current_user.address_book and avatar_url. The controller's update, destroy, add_message,
  // add_recipients, remove_messages and single create call conversation_json without turning
  // them off; the sync batch create passes include_participant_avatars: false,
  // include_participant_contexts: false.
  it('2. gives participants their contexts and avatars on every write answer', async () => {
    const expectDetailed = (body: { participants: Record<string, unknown>[] }) => {
      expect(body.participants.length).toBeGreaterThan(0);
      for (const p of body.participants) {
        expect(Object.keys(p)).toEqual([
          'id',
          'name',
          'full_name',
          'common_courses',
          'common_groups',
          'avatar_url',
        ]);
        expect(p).toMatchObject({ common_courses: inCourse(), common_groups: {} });
      }
    };
    const created = await start(ann, {
      recipients: [ben.id, cy.id],
      body: 'group',
      group_conversation: true,
    });
    expectDetailed(created.body[0]);
    const id = created.body[0].id;
    const updated = await app.request('PUT', `/api/v1/conversations/${id}`, {
      token: ann.token,
      json: { conversation: { starred: true } },
    });
    expectDetailed(updated.body);
    const added = await app.request('POST', `/api/v1/conversations/${id}/add_message`, {
      token: ben.token,
      json: { body: 'reply' },
    });
    expectDetailed(added.body);
    const removed = await app.request('POST', `/api/v1/conversations/${id}/remove_messages`, {
      token: ben.token,
      json: { remove: [String(added.body.messages[0].id)] },
    });
    expectDetailed(removed.body);
    const deleted = await app.request('DELETE', `/api/v1/conversations/${id}`, {
      token: cy.token,
    });
    expectDetailed(deleted.body);

    const bulk = await start(ann, { recipients: [ben.id, cy.id], body: 'bulk' });
    for (const c of bulk.body) {
      for (const p of c.participants) expect(Object.keys(p)).toEqual(['id', 'name', 'full_name']);
    }
  });

  // conversations_controller.rb #show passes include_participant_contexts:
  // value_to_boolean(params.fetch(:include_participant_contexts, true)); the contexts come from
  // current_user.address_book.common_courses/common_groups (lib/api/v1/conversation.rb).
  it('3. fills show’s common_courses and common_groups from the address book', async () => {
    const created = await start(ann, {
      recipients: [ben.id],
      body: 'show me',
      group_conversation: true,
    });
    const id = created.body[0].id;
    const shown = await app.request('GET', `/api/v1/conversations/${id}`, { token: ben.token });
    expect(shown.status).toBe(200);
    expect(shown.body.participants).toEqual(
      [ann, ben].map((u) =>
        expect.objectContaining({ id: u.id, common_courses: inCourse(), common_groups: {} }),
      ),
    );
    const bare = await app.request(
      'GET',
      `/api/v1/conversations/${id}?include_participant_contexts=false`,
      { token: ben.token },
    );
    expect(bare.body.participants[0]).not.toHaveProperty('common_courses');
    expect(bare.body.participants[0]).toHaveProperty('avatar_url');
  });

  // conversation_json always sets result[:audience_contexts] = contexts_for(audience,
  // conversation.local_context_tags), whatever the options: the sync batch create's answer
  // (conversations_controller.rb #create, batch_private_messages) carries it as the list does.
  it('4. answers a synchronous bulk private create with the audience contexts the list shows', async () => {
    const bulk = await start(ann, {
      recipients: [ben.id, cy.id],
      body: 'bulk in course',
      context_code: `course_${courseId}`,
    });
    expect(bulk.body).toHaveLength(2);
    const list = await app.request('GET', '/api/v1/conversations?scope=sent&per_page=50', {
      token: ann.token,
    });
    for (const c of bulk.body) {
      expect(c.audience_contexts.courses).toHaveProperty(String(courseId));
      const listed = list.body.find((l: { id: number }) => l.id === c.id);
      expect(c.audience_contexts).toEqual(listed.audience_contexts);
    }
  });

  // lib/authentication_system.rb (render_json_unauthorized): add_www_authenticate_header if
  // api_request? && !@current_user, i.e. `WWW-Authenticate: Bearer realm="canvas-lms"`.
  it('5. challenges a request with no token', async () => {
    const res = await app.request('GET', '/api/v1/conversations');
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="canvas-lms"');
    expect(res.body).toEqual({
      status: 'unauthenticated',
      errors: [{ message: 'user authorization required' }],
    });
  });

  // lib/api.rb: per_page_for reads params[:per_page] (present, even blank) with to_i and
  // clamps to 1..max, so "abc" (to_i 0) gives one item per page.
  it('6. reads per_page=abc as Ruby does: one per page', async () => {
    const res = await app.request('GET', '/api/v1/conversations?per_page=abc', {
      token: ann.token,
    });
    expect(res.status).toBe(200);
    expect(res.body).toHaveLength(1);
    expect(res.headers.get('link')).toContain('per_page=1>');
  });

  // lib/api/v1/conversation.rb: conversation_batch_json renders the batch's
  // root_conversation_message through conversation_message_json, which always adds
  // participating_user_ids; ConversationBatch.generate saves that template message first, so
  // it has its own id (and, belonging to no conversation, no participants).
  it('7. shows a running batch’s message with its id and participating_user_ids', async () => {
    const queued = await app.request('POST', '/api/v1/conversations', {
      token: ann.token,
      json: { recipients: [ben.id, cy.id], body: 'async', mode: 'async' },
    });
    expect(queued.status).toBe(202);
    const startedOverHttp = (await app.allEvents()).find(
      (e) =>
        e.streamId === streams.conversationBatch(queued.headers.get('x-conversation-batch-id')!),
    );
    expect(startedOverHttp?.data).toMatchObject({ rootMessageId: expect.stringMatching(/^\d+$/) });

    // A batch still being sent by another (live) runner, so that it is listed.
    const ids = app.running.app.get(IdGenerator);
    const batchId = ids.next();
    const rootMessageId = ids.next();
    const started = startConversationBatch(null, {
      batchId,
      userId: String(ben.id),
      recipientIds: [String(ann.id), String(cy.id)],
      group: false,
      subject: null,
      body: 'still sending',
      contextCode: null,
      mediaComment: null,
      tags: [],
      createdAt: new Date().toISOString(),
      rootMessageId,
      resumable: true,
    });
    const claim = { runner: 'elsewhere', leaseMs: 3_600_000, now: new Date() };
    const claimed = claimConversationBatch(evolveConversationBatch(null, started[0]!), claim);
    const ctx = { actorUserId: String(ben.id), correlationId: 'test', causationId: 'test' };
    await app.store.append(
      streams.conversationBatch(batchId),
      [...started, ...claimed].map((e) => toEventData(e, ctx, new Date())),
    );
    let batches: { id: number; message: Record<string, unknown> }[] = [];
    for (let i = 0; i < 200 && batches.length === 0; i++) {
      batches = (await app.request('GET', '/api/v1/conversations/batches', { token: ben.token }))
        .body;
      if (batches.length === 0) await new Promise((r) => setTimeout(r, 20));
    }
    expect(batches).toHaveLength(1);
    expect(batches[0]!.message).toMatchObject({
      id: Number(rootMessageId),
      body: 'still sending',
      author_id: ben.id,
      participating_user_ids: [],
    });
  });

  // lib/api/v1/communication_channel.rb: bounce fields only if
  // channel.grants_right?(current_user, :read_bounce_details), which
  // app/models/communication_channel.rb grants to Account.site_admin users with :read_messages;
  // they then see last_bounce_at, last_transient_bounce_at, last_suppression_bounce_at and
  // the last_bounce_summary / last_transient_bounce_summary methods (the API spec's admin
  // listing also shows bounce_count).
  it('8. shows channels’ bounce details to site admins only', async () => {
    const dee = await app.createUserWithEmail('Dee Dunn', 'dee@example.com');
    const own = await app.request('GET', '/api/v1/users/self/communication_channels', {
      token: dee.token,
    });
    expect(own.status).toBe(200);
    for (const key of [
      'bounce_count',
      'last_bounce_at',
      'last_bounce_summary',
      'last_transient_bounce_at',
      'last_suppression_bounce_at',
      'last_transient_bounce_summary',
    ]) {
      expect(own.body[0]).not.toHaveProperty(key);
    }
    const asAdmin = await app.request('GET', `/api/v1/users/${dee.id}/communication_channels`, {
      token: ADMIN_TOKEN,
    });
    expect(asAdmin.body[0]).toMatchObject({
      address: 'dee@example.com',
      bounce_count: 0,
      last_bounce_at: null,
      last_bounce_summary: null,
      last_suppression_bounce_at: null,
      last_transient_bounce_at: null,
      last_transient_bounce_summary: null,
    });
  });
});
