import type { CourseEvent, GroupEvent } from '@missive/domain';
import { SqliteEventStore } from '@missive/event-store';
import { ProjectionRunner } from '@missive/projections';
import { randomUUID } from 'node:crypto';
import { openTestDatabase, type TestDatabase } from '../../../projections/src/testing/testDatabase';
import { DirectoryQueries } from './directoryQueries';
import { directoryProjection } from './directoryProjection';

const at = '2026-01-01T00:00:00.000Z';

function enrolled(
  courseId: string,
  id: string,
  userId: string,
  state: 'active' | 'invited' | 'inactive',
): CourseEvent {
  return {
    type: 'UserEnrolled',
    data: {
      courseId,
      enrollmentId: id,
      userId,
      type: 'StudentEnrollment',
      enrollmentState: state,
      createdAt: at,
    },
  };
}

describe.each(['sqlite', 'postgres'] as const)('directory read model on %s', (dialect) => {
  let store: SqliteEventStore;
  let testDb: TestDatabase;
  let runner: ProjectionRunner;
  let queries: DirectoryQueries;
  const append = (stream: string, ...events: (CourseEvent | GroupEvent)[]) =>
    store.append(
      stream,
      events.map((e) => ({ id: randomUUID(), type: e.type, data: e.data })),
    );

  beforeEach(async () => {
    store = new SqliteEventStore({ path: ':memory:' });
    testDb = await openTestDatabase(dialect);
    runner = new ProjectionRunner({ store, db: testDb.db, projection: directoryProjection });
    queries = new DirectoryQueries(testDb.db);
  });
  afterEach(async () => {
    await runner.stop();
    await testDb.cleanup();
    await store.close();
  });

  it('finds who shares an active or invited course or a group with the sender', async () => {
    await append(
      'course-1',
      {
        type: 'CourseCreated',
        data: {
          courseId: '1',
          name: 'Bio',
          courseCode: 'B',
          workflowState: 'available',
          createdAt: at,
        },
      },
      enrolled('1', '11', '100', 'active'),
      enrolled('1', '12', '101', 'invited'),
      enrolled('1', '13', '102', 'inactive'),
    );
    await append(
      'group-2',
      { type: 'GroupCreated', data: { groupId: '2', name: 'Lab', createdAt: at } },
      {
        type: 'GroupMembershipAdded',
        data: { groupId: '2', membershipId: '21', userId: '100', createdAt: at },
      },
      {
        type: 'GroupMembershipAdded',
        data: { groupId: '2', membershipId: '22', userId: '103', createdAt: at },
      },
    );
    await runner.catchUp();

    const candidates = ['101', '102', '103', '104'];
    expect([...(await queries.messageableAmong('100', candidates))].sort()).toEqual(['101', '103']);
    // An inactive enrollment shares nothing, in either direction.
    expect([...(await queries.messageableAmong('102', ['100', '101']))]).toEqual([]);
    expect([...(await queries.messageableAmong('104', ['100']))]).toEqual([]);

    expect(await queries.course('1')).toMatchObject({ name: 'Bio', workflowState: 'available' });
    expect(await queries.enrollment('1', '101', 'StudentEnrollment')).toMatchObject({
      id: '12',
      enrollmentState: 'invited',
    });
    expect(await queries.group('2')).toMatchObject({ name: 'Lab', membersCount: 2 });
    expect(await queries.membership('2', '103')).toMatchObject({ id: '22' });

    const shared = await queries.sharedContexts('100', ['101', '102', '103']);
    expect(Object.fromEntries(shared)).toEqual({ '101': ['course_1'], '103': ['group_2'] });
    expect(Object.fromEntries(await queries.enrollmentTypes('101', ['1']))).toEqual({
      '1': ['StudentEnrollment'],
    });
    expect(await queries.enrollmentTypes('102', ['1'])).toEqual(new Map());
    expect([...(await queries.memberOf('103', ['2', '3']))]).toEqual(['2']);
    expect((await queries.courseMembers('1')).sort()).toEqual(['100', '101']);
    expect(await queries.courseMembers('1', ['TeacherEnrollment'])).toEqual([]);
    expect((await queries.groupMembers('2')).sort()).toEqual(['100', '103']);
  });
});
