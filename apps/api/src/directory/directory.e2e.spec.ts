import { ADMIN_TOKEN, TestApp } from '../testing/testApp';

describe('Directory over HTTP: courses, enrollments, groups, memberships', () => {
  let app: TestApp;
  let user: { id: number; token: string };

  beforeAll(async () => {
    app = await TestApp.start();
    user = await app.createUser('Stu Dent', 'student');
  });
  afterAll(async () => {
    await app.stop();
  });

  it('creates a course and enrolls a user, in Canvas shapes', async () => {
    const course = await app.request('POST', '/api/v1/accounts/self/courses', {
      token: ADMIN_TOKEN,
      form: { 'course[name]': 'Biology 101', 'course[course_code]': 'BIO-101', offer: 'true' },
    });
    expect(course.status).toBe(200);
    expect(course.body).toMatchObject({
      id: expect.any(Number),
      name: 'Biology 101',
      course_code: 'BIO-101',
      workflow_state: 'available',
      account_id: 1,
      root_account_id: 1,
    });
    const enrollment = await app.request('POST', `/api/v1/courses/${course.body.id}/enrollments`, {
      token: ADMIN_TOKEN,
      json: {
        enrollment: { user_id: user.id, type: 'TeacherEnrollment', enrollment_state: 'active' },
      },
    });
    expect(enrollment.status).toBe(200);
    expect(enrollment.body).toMatchObject({
      course_id: course.body.id,
      user_id: user.id,
      type: 'TeacherEnrollment',
      role: 'TeacherEnrollment',
      enrollment_state: 'active',
      user: { id: user.id, name: 'Stu Dent', login_id: 'student' },
    });
    // Enrolling again with the same type returns the same enrollment and writes nothing.
    const before = (await app.allEvents()).length;
    const again = await app.request('POST', `/api/v1/courses/${course.body.id}/enrollments`, {
      token: ADMIN_TOKEN,
      json: { enrollment: { user_id: user.id, type: 'TeacherEnrollment' } },
    });
    expect(again.body.id).toBe(enrollment.body.id);
    expect((await app.allEvents()).length).toBe(before);
  });

  it('defaults a course to unpublished and an enrollment to an invited student', async () => {
    const course = await app.request('POST', '/api/v1/accounts/self/courses', {
      token: ADMIN_TOKEN,
      form: {},
    });
    expect(course.body).toMatchObject({ name: 'Unnamed Course', workflow_state: 'unpublished' });
    const enrollment = await app.request('POST', `/api/v1/courses/${course.body.id}/enrollments`, {
      token: ADMIN_TOKEN,
      form: { 'enrollment[user_id]': String(user.id) },
    });
    expect(enrollment.body).toMatchObject({
      type: 'StudentEnrollment',
      enrollment_state: 'invited',
    });
  });

  it('refuses bad enrollments with Canvas errors and writes nothing', async () => {
    const course = await app.request('POST', '/api/v1/accounts/self/courses', {
      token: ADMIN_TOKEN,
      form: {},
    });
    const path = `/api/v1/courses/${course.body.id}/enrollments`;
    const before = (await app.allEvents()).length;
    const badType = await app.request('POST', path, {
      token: ADMIN_TOKEN,
      form: { 'enrollment[user_id]': String(user.id), 'enrollment[type]': 'KingEnrollment' },
    });
    expect(badType.status).toBe(400);
    expect(badType.body).toEqual({
      errors: { type: [{ attribute: 'type', type: 'invalid', message: 'invalid' }] },
    });
    const missing = await app.request('POST', path, { token: ADMIN_TOKEN, form: {} });
    expect(missing.status).toBe(400);
    expect(missing.body).toEqual({ errors: [{ message: 'enrollment[user_id] is missing' }] });
    const unknownUser = await app.request('POST', path, {
      token: ADMIN_TOKEN,
      form: { 'enrollment[user_id]': '999' },
    });
    expect(unknownUser.status).toBe(404);
    const unknownCourse = await app.request('POST', '/api/v1/courses/999/enrollments', {
      token: ADMIN_TOKEN,
      form: { 'enrollment[user_id]': String(user.id) },
    });
    expect(unknownCourse.status).toBe(404);
    expect((await app.allEvents()).length).toBe(before);
  });

  it('creates groups and memberships', async () => {
    const group = await app.request('POST', '/api/v1/groups', {
      token: ADMIN_TOKEN,
      json: { name: 'Lab A' },
    });
    expect(group.status).toBe(200);
    expect(group.body).toMatchObject({ name: 'Lab A', members_count: 0, context_type: 'Account' });
    const membership = await app.request('POST', `/api/v1/groups/${group.body.id}/memberships`, {
      token: ADMIN_TOKEN,
      form: { user_id: String(user.id) },
    });
    expect(membership.status).toBe(200);
    expect(membership.body).toMatchObject({
      group_id: group.body.id,
      user_id: user.id,
      workflow_state: 'accepted',
    });
    const blank = await app.request('POST', '/api/v1/groups', {
      token: ADMIN_TOKEN,
      form: { name: ' ' },
    });
    expect(blank.status).toBe(400);
    expect(blank.body).toEqual({
      errors: { name: [{ attribute: 'name', type: 'blank', message: 'blank' }] },
    });
  });

  it('is for site admins only: others get 401 and nothing is written', async () => {
    const before = (await app.allEvents()).length;
    for (const [path, form] of [
      ['/api/v1/accounts/self/courses', { 'course[name]': 'Mine' }],
      ['/api/v1/groups', { name: 'Mine' }],
      ['/api/v1/courses/1/enrollments', { 'enrollment[user_id]': String(user.id) }],
      ['/api/v1/groups/1/memberships', { user_id: String(user.id) }],
    ] as const) {
      const res = await app.request('POST', path, { token: user.token, form });
      expect(res.status).toBe(401);
      expect(res.body).toEqual({
        status: 'unauthorized',
        errors: [{ message: 'user not authorized to perform that action' }],
      });
    }
    expect((await app.allEvents()).length).toBe(before);
  });
});
