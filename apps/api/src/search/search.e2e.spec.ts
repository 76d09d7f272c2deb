import { ADMIN_TOKEN, TestApp, type Reply } from '../testing/testApp';

type User = { id: number; token: string };

/** `<url>; rel="x"` pairs of a Link header, in order. */
function links(reply: Reply): [string, string][] {
  const header = reply.headers.get('link') ?? '';
  return header.split(',').map((part) => {
    const m = /^<([^>]+)>; rel="([a-z]+)"$/.exec(part);
    if (!m) throw new Error(`bad link part: ${part}`);
    return [m[2]!, m[1]!];
  });
}

describe('Recipient search over HTTP', () => {
  let app: TestApp;
  let me: User;
  let jane: User;
  let janet: User;
  let gail: User;
  let stranger: User;
  let inactive: User;
  let biology: number;
  let chemistry: number;
  let study: number;

  const get = (path: string, token: string) => app.request('GET', path, { token });

  async function course(name: string): Promise<number> {
    const reply = await app.request('POST', '/api/v1/accounts/self/courses', {
      token: ADMIN_TOKEN,
      form: { 'course[name]': name },
    });
    return reply.body.id;
  }
  async function enroll(courseId: number, user: User, type: string, state = 'active') {
    const reply = await app.request('POST', `/api/v1/courses/${courseId}/enrollments`, {
      token: ADMIN_TOKEN,
      form: {
        'enrollment[user_id]': String(user.id),
        'enrollment[type]': type,
        'enrollment[enrollment_state]': state,
      },
    });
    expect(reply.status).toBe(200);
  }

  beforeAll(async () => {
    app = await TestApp.start();
    me = await app.createUser('Me Myself', 'me');
    jane = await app.createUser('Jane Doe', 'jane', 'Jane');
    janet = await app.createUser('Janet Roe', 'janet');
    gail = await app.createUser('Gail Group', 'gail');
    stranger = await app.createUser('Jane Stranger', 'stranger');
    inactive = await app.createUser('Jane Inactive', 'inactive');
    biology = await course('Biology 101');
    await enroll(biology, me, 'StudentEnrollment');
    await enroll(biology, jane, 'StudentEnrollment');
    await enroll(biology, janet, 'TeacherEnrollment', 'invited');
    await enroll(biology, inactive, 'StudentEnrollment', 'inactive');
    chemistry = await course('Chemistry');
    await enroll(chemistry, stranger, 'StudentEnrollment');
    const group = await app.request('POST', '/api/v1/groups', {
      token: ADMIN_TOKEN,
      form: { name: 'Biology study group' },
    });
    study = group.body.id;
    for (const user of [me, gail]) {
      await app.request('POST', `/api/v1/groups/${study}/memberships`, {
        token: ADMIN_TOKEN,
        form: { user_id: String(user.id) },
      });
    }
  });
  afterAll(async () => {
    await app.stop();
  });

  it('finds messageable users by word prefix, in Canvas shapes, never the caller', async () => {
    const reply = await get('/api/v1/search/recipients?search=jan&type=user', me.token);
    expect(reply.status).toBe(200);
    // Stranger shares nothing with me; Inactive's enrollment is inactive.
    expect(reply.body).toEqual([
      {
        id: jane.id,
        name: 'Jane',
        full_name: 'Jane Doe',
        common_courses: { [String(biology)]: ['StudentEnrollment'] },
        common_groups: {},
        avatar_url: expect.stringMatching(/^http:\/\/.+\/images\/messages\/avatar-50\.png$/),
      },
      expect.objectContaining({
        id: janet.id,
        full_name: 'Janet Roe',
        common_courses: { [String(biology)]: ['TeacherEnrollment'] },
      }),
    ]);
    const words = await get('/api/v1/search/recipients?search=JANE%20ro', me.token);
    expect(words.body.map((r: { id: number }) => r.id)).toEqual([janet.id]);
    const middle = await get('/api/v1/search/recipients?search=ane', me.token);
    expect(middle.body).toEqual([]);
    const self = await get('/api/v1/search/recipients?search=me', me.token);
    expect(self.body).toEqual([]);
  });

  it('lists my matching courses and groups before users', async () => {
    const reply = await get('/api/v1/search/recipients?search=bio', me.token);
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual([
      {
        id: `course_${biology}`,
        name: 'Biology 101',
        avatar_url: expect.stringMatching(/\/images\/messages\/avatar-group-50\.png$/),
        type: 'context',
        user_count: 3,
        permissions: {},
        context_name: null,
      },
      expect.objectContaining({ id: `group_${study}`, name: 'Biology study group', user_count: 2 }),
    ]);
    // Chemistry is not mine, however it is searched for.
    expect((await get('/api/v1/search/recipients?search=chem', me.token)).body).toEqual([]);
    const contexts = await get('/api/v1/search/recipients?search=&type=context', me.token);
    expect(contexts.body.map((r: { id: string }) => r.id)).toEqual([
      `course_${biology}`,
      `group_${study}`,
    ]);
  });

  it('limits users to a context I belong to', async () => {
    const ids = async (query: string, token = me.token) =>
      (await get(`/api/v1/search/recipients?${query}`, token)).body.map(
        (r: { id: unknown }) => r.id,
      );
    expect(await ids(`context=course_${biology}`)).toEqual([jane.id, janet.id]);
    expect(await ids(`context=course_${biology}_teachers`)).toEqual([janet.id]);
    expect(await ids(`context=course_${biology}&search=janet`)).toEqual([janet.id]);
    expect(await ids(`context=group_${study}`)).toEqual([gail.id]);
    expect(await ids(`context=course_${chemistry}`)).toEqual([]);
    expect(await ids('context=nonsense')).toEqual([]);
    expect(await ids(`context=course_${chemistry}`, ADMIN_TOKEN)).toEqual([stranger.id]);
  });

  it('drops excluded users and contexts and filters by type', async () => {
    const ids = async (query: string) =>
      (await get(`/api/v1/search/recipients?${query}`, me.token)).body.map(
        (r: { id: unknown }) => r.id,
      );
    expect(await ids(`search=&exclude[]=${jane.id}&exclude[]=course_${biology}`)).toEqual([
      `group_${study}`,
      gail.id,
      janet.id,
    ]);
    expect(await ids(`search=&type=user&exclude=group_${study}`)).toEqual([
      jane.id,
      gail.id,
      janet.id,
    ]);
    expect(await ids('search=&type=section')).toEqual([]);
    // Canvas searches only when given `search` or `context`.
    expect(await ids('')).toEqual([]);
  });

  it('answers one messageable user for user_id, and 404 for an unknown one', async () => {
    const one = await get(`/api/v1/search/recipients?user_id=${gail.id}`, me.token);
    expect(one.body).toEqual([
      expect.objectContaining({ id: gail.id, common_groups: { [String(study)]: ['Member'] } }),
    ]);
    expect((await get(`/api/v1/search/recipients?user_id=${stranger.id}`, me.token)).body).toEqual(
      [],
    );
    expect((await get('/api/v1/search/recipients?user_id=999999', me.token)).status).toBe(404);
  });

  it('lets a site admin find everyone', async () => {
    const reply = await get('/api/v1/search/recipients?search=jane&type=user', ADMIN_TOKEN);
    expect(reply.body.map((r: { id: number }) => r.id)).toEqual([
      jane.id,
      inactive.id,
      janet.id,
      stranger.id,
    ]);
    expect(reply.body[3]).toMatchObject({ common_courses: {}, common_groups: {} });
  });

  it('pages by bookmark through contexts then users, each exactly once', async () => {
    const url = '/api/v1/search/recipients?search=&exclude[]=0&per_page=2';
    const seen: unknown[] = [];
    const rels: string[][] = [];
    let next: string | undefined = url;
    while (next) {
      const reply = await get(next.replace(/^http:\/\/[^/]+/, ''), me.token);
      expect(reply.status).toBe(200);
      seen.push(...reply.body.map((r: { id: unknown }) => r.id));
      const pairs = links(reply);
      rels.push(pairs.map(([rel]) => rel));
      for (const [, href] of pairs) {
        expect(href).toMatch(
          /\/api\/v1\/search\/recipients\?exclude%5B%5D=0&search=&page=(first|bookmark:[A-Za-z0-9_-]+)&per_page=2$/,
        );
      }
      expect(pairs.find(([rel]) => rel === 'first')![1]).toContain('page=first');
      next = pairs.find(([rel]) => rel === 'next')?.[1];
    }
    expect(seen).toEqual([`course_${biology}`, `group_${study}`, jane.id, gail.id, janet.id]);
    expect(rels).toEqual([
      ['current', 'next', 'first'],
      ['current', 'next', 'first'],
      ['current', 'first'],
    ]);
  });

  it('clamps per_page and refuses a bookmark it did not write', async () => {
    const junk = await get('/api/v1/search/recipients?search=&per_page=junk', me.token);
    expect(junk.status).toBe(200);
    // Canvas's per_page_for reads "junk" with to_i: 0, clamped to one per page.
    expect(junk.body).toHaveLength(1);
    expect(junk.headers.get('link')).toContain('per_page=1>');
    const absent = await get('/api/v1/search/recipients?search=', me.token);
    expect(absent.body).toHaveLength(5);
    const zero = await get('/api/v1/search/recipients?search=&per_page=0', me.token);
    expect(zero.body).toHaveLength(1);
    for (const page of ['bookmark:not-json', 'bookmark:WyJ4Il0', '2', 'last']) {
      const bad = await get(`/api/v1/search/recipients?search=&page=${page}`, me.token);
      expect(bad.status).toBe(400);
      expect(bad.body).toEqual({
        errors: [{ message: 'An error occurred.', error_code: 'bad_request' }],
      });
    }
  });

  it('never answers 500 to odd input', async () => {
    const words = Array.from({ length: 500 }, (_, i) => `w${i}`).join('%20');
    const many = await get(`/api/v1/search/recipients?search=j%20${words}`, me.token);
    expect(many.status).toBe(200);
    // Past 20 `exclude[]` the query parser makes an object; past ~6 KB the Link header goes.
    const excludes = [...Array.from({ length: 299 }, (_, i) => String(i + 1)), String(jane.id)]
      .map((id) => `exclude[]=${id}`)
      .join('&');
    const excluded = await get(`/api/v1/search/recipients?search=&${excludes}`, me.token);
    expect(excluded.status).toBe(200);
    expect(excluded.body.map((r: { id: unknown }) => r.id)).not.toContain(jane.id);
    expect(excluded.headers.get('link')).toBeNull();
    const arrays = await get('/api/v1/search/recipients?search[]=j&type[]=user', me.token);
    expect(arrays.status).toBe(400);
    const odd = await get(
      `/api/v1/search/recipients?search=%25_%5C'&context=course_${'9'.repeat(20)}&exclude[]=x`,
      me.token,
    );
    expect(odd.status).toBe(200);
    expect((await get('/api/v1/search/recipients?user_id=abc', me.token)).status).toBe(404);
  });

  it('answers the same on the deprecated find_recipients alias', async () => {
    const query = 'search=j&per_page=1';
    const search = await get(`/api/v1/search/recipients?${query}`, me.token);
    const alias = await get(`/api/v1/conversations/find_recipients?${query}`, me.token);
    expect(alias.status).toBe(200);
    expect(alias.body).toEqual(search.body);
    expect(alias.headers.get('link')).toBe(search.headers.get('link'));
    expect(alias.body).toHaveLength(1);
  });

  it('requires authentication', async () => {
    const reply = await app.request('GET', '/api/v1/search/recipients?search=j');
    expect(reply.status).toBe(401);
  });
});
