import type { CourseEvent, GroupEvent, UserEvent } from '@missive/domain';
import { SqliteEventStore } from '@missive/event-store';
import { ProjectionRunner } from '@missive/projections';
import { randomUUID } from 'node:crypto';
import { openTestDatabase, type TestDatabase } from '../../../projections/src/testing/testDatabase';
import { usersProjection } from '../users/usersProjection';
import { directoryProjection } from './directoryProjection';
import { RecipientSearch, type RecipientUser, type UserSearch } from './recipientSearch';

const at = '2026-01-01T00:00:00.000Z';

function registered(userId: string, name: string, sortableName: string): UserEvent {
  return {
    type: 'UserRegistered',
    data: {
      userId,
      name,
      shortName: name.split(' ')[0]!,
      sortableName,
      loginId: `u${userId}`,
      siteAdmin: false,
      createdAt: at,
    },
  } as UserEvent;
}

function enrolled(
  courseId: string,
  id: string,
  userId: string,
  state: 'active' | 'invited' | 'inactive',
  type = 'StudentEnrollment',
): CourseEvent {
  return {
    type: 'UserEnrolled',
    data: { courseId, enrollmentId: id, userId, type, enrollmentState: state, createdAt: at },
  } as CourseEvent;
}

function course(courseId: string, name: string): CourseEvent {
  return {
    type: 'CourseCreated',
    data: { courseId, name, courseCode: name, workflowState: 'available', createdAt: at },
  };
}

describe.each(['sqlite', 'postgres'] as const)('recipient search on %s', (dialect) => {
  let store: SqliteEventStore;
  let testDb: TestDatabase;
  let runners: ProjectionRunner[];
  let search: RecipientSearch;
  const me = { id: '100', siteAdmin: false };
  const admin = { id: '1', siteAdmin: true };
  const append = (stream: string, ...events: (CourseEvent | GroupEvent | UserEvent)[]) =>
    store.append(
      stream,
      events.map((e) => ({ id: randomUUID(), type: e.type, data: e.data })),
    );
  const users = (caller: typeof me, q: Partial<UserSearch> = {}) =>
    search.users(caller, { terms: [], excludeUserIds: [], limit: 100, ...q });
  const ids = (rows: RecipientUser[]) => rows.map((r) => r.id);

  beforeAll(async () => {
    store = new SqliteEventStore({ path: ':memory:' });
    testDb = await openTestDatabase(dialect);
    runners = [usersProjection, directoryProjection].map(
      (projection) => new ProjectionRunner({ store, db: testDb.db, projection }),
    );
    search = new RecipientSearch(testDb.db);
    await append('user-1', registered('1', 'Ada Admin', 'Admin, Ada'));
    await append('user-100', registered('100', 'Me Myself', 'Myself, Me'));
    await append('user-101', registered('101', 'Jane Doe', 'Doe, Jane'));
    await append('user-102', registered('102', 'Janet Roe', 'Roe, Janet'));
    await append('user-103', registered('103', 'Mary-Jane Poe', 'Poe, Mary-Jane'));
    await append('user-104', registered('104', 'Inactive Ian', 'Ian, Inactive'));
    await append('user-105', registered('105', 'Stranger Sam', 'Sam, Stranger'));
    await append('user-106', registered('106', 'Group Gail', 'Gail, Group'));
    await append(
      'course-10',
      course('10', 'Biology 101'),
      enrolled('10', '1001', '100', 'active'),
      enrolled('10', '1002', '101', 'active'),
      enrolled('10', '1003', '101', 'invited', 'TaEnrollment'),
      enrolled('10', '1004', '102', 'invited', 'TeacherEnrollment'),
      enrolled('10', '1005', '104', 'inactive'),
    );
    await append(
      'course-11',
      course('11', 'Chemistry'),
      enrolled('11', '1101', '100', 'inactive'),
      enrolled('11', '1102', '103', 'active'),
    );
    await append('course-12', course('12', 'Biology Lab'), enrolled('12', '1201', '105', 'active'));
    await append(
      'group-20',
      { type: 'GroupCreated', data: { groupId: '20', name: 'Biology study', createdAt: at } },
      {
        type: 'GroupMembershipAdded',
        data: { groupId: '20', membershipId: '2001', userId: '100', createdAt: at },
      },
      {
        type: 'GroupMembershipAdded',
        data: { groupId: '20', membershipId: '2002', userId: '106', createdAt: at },
      },
    );
    for (const runner of runners) await runner.catchUp();
  });
  afterAll(async () => {
    for (const runner of runners) await runner.stop();
    await testDb.cleanup();
    await store.close();
  });

  it('lists only messageable users, never the caller, by sortable name then id', async () => {
    // Doe, Gail, Roe: course 10 (active/invited) and group 20; not Ian (inactive), not Poe
    // (the caller's enrollment in course 11 is inactive), not Sam (no shared context).
    expect(ids(await users(me))).toEqual(['101', '106', '102']);
    expect(ids(await users(admin))).toEqual(['101', '106', '104', '100', '103', '102', '105']);
  });

  it('matches every term as a prefix of a word of the name or short name', async () => {
    // "jane" begins "Jane", the "Jane" of "Mary-Jane" and "Janet".
    expect(ids(await users(admin, { terms: ['jane'] }))).toEqual(['101', '103', '102']);
    expect(ids(await users(admin, { terms: ['janet'] }))).toEqual(['102']);
    expect(ids(await users(admin, { terms: ['mary-jane'] }))).toEqual(['103']);
    expect(ids(await users(admin, { terms: ['ane'] }))).toEqual([]);
    expect(ids(await users(admin, { terms: ['jan', 'ro'] }))).toEqual(['102']);
    expect(ids(await users(admin, { terms: ['50%'] }))).toEqual([]);
  });

  it('pages with a keyset, each user exactly once', async () => {
    const seen: string[] = [];
    let after: UserSearch['after'];
    for (;;) {
      const page = await users(admin, { limit: 2, after });
      seen.push(...ids(page));
      if (page.length < 2) break;
      const last = page[page.length - 1]!;
      after = { sortableName: last.sortableName, id: last.id };
    }
    expect(seen).toEqual(ids(await users(admin)));
  });

  it('limits to a context the caller belongs to, and its enrollment types', async () => {
    expect(ids(await users(me, { scope: { kind: 'course', id: '10' } }))).toEqual(['101', '102']);
    const teachers = { kind: 'course' as const, id: '10', enrollmentType: 'TeacherEnrollment' };
    expect(ids(await users(me, { scope: teachers }))).toEqual(['102']);
    expect(ids(await users(me, { scope: { kind: 'group', id: '20' } }))).toEqual(['106']);
    expect(ids(await users(me, { scope: { kind: 'course', id: '11' } }))).toEqual([]);
    expect(ids(await users(me, { scope: { kind: 'course', id: '12' } }))).toEqual([]);
    expect(ids(await users(admin, { scope: { kind: 'course', id: '12' } }))).toEqual(['105']);
    expect(ids(await users(me, { excludeUserIds: ['101'] }))).toEqual(['106', '102']);
  });

  it("lists the caller's contexts by name with member counts, keyset-paged", async () => {
    const all = await search.contexts(me, {
      terms: [],
      excludeCourseIds: [],
      excludeGroupIds: [],
      limit: 10,
    });
    expect(all).toEqual([
      { kind: 'course', id: '10', name: 'Biology 101', userCount: 3 },
      { kind: 'group', id: '20', name: 'Biology study', userCount: 2 },
    ]);
    const page2 = await search.contexts(me, {
      terms: ['bio'],
      excludeCourseIds: [],
      excludeGroupIds: [],
      after: all[0]!,
      limit: 10,
    });
    expect(page2.map((c) => c.id)).toEqual(['20']);
    const excluded = await search.contexts(me, {
      terms: ['stu'],
      excludeCourseIds: [],
      excludeGroupIds: ['20'],
      limit: 10,
    });
    expect(excluded).toEqual([]);
  });

  it('finds one known user and what the caller shares with them', async () => {
    expect((await search.knownUser(me, '101'))?.name).toBe('Jane Doe');
    expect(await search.knownUser(me, '105')).toBeUndefined();
    expect((await search.knownUser(admin, '105'))?.name).toBe('Stranger Sam');
    const common = await search.commonContexts('100', ['101', '106', '105']);
    expect(common.get('101')).toEqual({
      courses: { '10': ['StudentEnrollment', 'TaEnrollment'] },
      groups: {},
    });
    expect(common.get('106')).toEqual({ courses: {}, groups: { '20': ['Member'] } });
    expect(common.get('105')).toEqual({ courses: {}, groups: {} });
  });
});
