import type { Kysely } from 'kysely';
import type { SchemalessDb } from '../schemaless';
import type { DirectoryDatabase } from './directoryTables';

/** Enrollment states that let users message each other (inactive ones do not). */
export const MESSAGEABLE_ENROLLMENT_STATES = ['active', 'invited'];

export interface CourseRecord {
  id: string;
  name: string;
  courseCode: string;
  workflowState: string;
  createdAt: string;
}

export interface EnrollmentRecord {
  id: string;
  courseId: string;
  userId: string;
  type: string;
  enrollmentState: string;
  createdAt: string;
}

export interface GroupRecord {
  id: string;
  name: string;
  createdAt: string;
  membersCount: number;
}

export interface MembershipRecord {
  id: string;
  groupId: string;
  userId: string;
  createdAt: string;
}

export class DirectoryQueries {
  private readonly db: Kysely<DirectoryDatabase>;

  constructor(db: SchemalessDb) {
    this.db = db as Kysely<DirectoryDatabase>;
  }

  async course(id: string): Promise<CourseRecord | undefined> {
    const row = await this.db
      .selectFrom('courses')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return (
      row && {
        id: String(row.id),
        name: row.name,
        courseCode: row.course_code,
        workflowState: row.workflow_state,
        createdAt: row.created_at,
      }
    );
  }

  async enrollment(
    courseId: string,
    userId: string,
    type: string,
  ): Promise<EnrollmentRecord | undefined> {
    const row = await this.db
      .selectFrom('enrollments')
      .selectAll()
      .where('course_id', '=', courseId)
      .where('user_id', '=', userId)
      .where('type', '=', type)
      .executeTakeFirst();
    return (
      row && {
        id: String(row.id),
        courseId: String(row.course_id),
        userId: String(row.user_id),
        type: row.type,
        enrollmentState: row.enrollment_state,
        createdAt: row.created_at,
      }
    );
  }

  async group(id: string): Promise<GroupRecord | undefined> {
    const row = await this.db
      .selectFrom('groups')
      .selectAll()
      .select((eb) =>
        eb
          .selectFrom('group_memberships')
          .select((sub) => sub.fn.countAll<number | string>().as('n'))
          .whereRef('group_memberships.group_id', '=', 'groups.id')
          .as('members_count'),
      )
      .where('id', '=', id)
      .executeTakeFirst();
    return (
      row && {
        id: String(row.id),
        name: row.name,
        createdAt: row.created_at,
        membersCount: Number(row.members_count ?? 0),
      }
    );
  }

  async membership(groupId: string, userId: string): Promise<MembershipRecord | undefined> {
    const row = await this.db
      .selectFrom('group_memberships')
      .selectAll()
      .where('group_id', '=', groupId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return (
      row && {
        id: String(row.id),
        groupId: String(row.group_id),
        userId: String(row.user_id),
        createdAt: row.created_at,
      }
    );
  }

  /**
   * Which of `candidateIds` the sender may message: those sharing a course (both enrollments
   * active or invited) or a group with the sender. Two index-backed joins, no scans.
   */
  async messageableAmong(senderId: string, candidateIds: readonly string[]): Promise<Set<string>> {
    if (candidateIds.length === 0) return new Set();
    const viaCourses = this.db
      .selectFrom('enrollments as mine')
      .innerJoin('enrollments as theirs', 'theirs.course_id', 'mine.course_id')
      .select('theirs.user_id as user_id')
      .where('mine.user_id', '=', senderId)
      .where('mine.enrollment_state', 'in', MESSAGEABLE_ENROLLMENT_STATES)
      .where('theirs.enrollment_state', 'in', MESSAGEABLE_ENROLLMENT_STATES)
      .where('theirs.user_id', 'in', candidateIds);
    const viaGroups = this.db
      .selectFrom('group_memberships as mine')
      .innerJoin('group_memberships as theirs', 'theirs.group_id', 'mine.group_id')
      .select('theirs.user_id as user_id')
      .where('mine.user_id', '=', senderId)
      .where('theirs.user_id', 'in', candidateIds);
    const rows = await viaCourses.union(viaGroups).execute();
    return new Set(rows.map((r) => String(r.user_id)));
  }

  /**
   * The contexts (`course_N`, `group_N`) the sender shares with each of `otherIds`: the tags
   * Canvas puts on a message for each recipient.
   */
  async sharedContexts(
    senderId: string,
    otherIds: readonly string[],
  ): Promise<Map<string, string[]>> {
    const shared = new Map<string, string[]>();
    if (otherIds.length === 0) return shared;
    const [courses, groups] = await Promise.all([
      this.db
        .selectFrom('enrollments as mine')
        .innerJoin('enrollments as theirs', 'theirs.course_id', 'mine.course_id')
        .select(['theirs.user_id as user_id', 'theirs.course_id as context_id'])
        .distinct()
        .where('mine.user_id', '=', senderId)
        .where('mine.enrollment_state', 'in', MESSAGEABLE_ENROLLMENT_STATES)
        .where('theirs.enrollment_state', 'in', MESSAGEABLE_ENROLLMENT_STATES)
        .where('theirs.user_id', 'in', otherIds)
        .execute(),
      this.db
        .selectFrom('group_memberships as mine')
        .innerJoin('group_memberships as theirs', 'theirs.group_id', 'mine.group_id')
        .select(['theirs.user_id as user_id', 'theirs.group_id as context_id'])
        .where('mine.user_id', '=', senderId)
        .where('theirs.user_id', 'in', otherIds)
        .execute(),
    ]);
    const add = (userId: unknown, code: string) => {
      const key = String(userId);
      shared.set(key, [...(shared.get(key) ?? []), code]);
    };
    for (const row of courses) add(row.user_id, `course_${row.context_id}`);
    for (const row of groups) add(row.user_id, `group_${row.context_id}`);
    return shared;
  }

  /** A user's active/invited enrollment types per course, for `audience_contexts`. */
  async enrollmentTypes(
    userId: string,
    courseIds: readonly string[],
  ): Promise<Map<string, string[]>> {
    const types = new Map<string, string[]>();
    if (courseIds.length === 0) return types;
    const rows = await this.db
      .selectFrom('enrollments')
      .select(['course_id', 'type'])
      .where('user_id', '=', userId)
      .where('course_id', 'in', courseIds)
      .where('enrollment_state', 'in', MESSAGEABLE_ENROLLMENT_STATES)
      .orderBy('type')
      .execute();
    for (const row of rows) {
      const key = String(row.course_id);
      types.set(key, [...(types.get(key) ?? []), row.type]);
    }
    return types;
  }

  /** Which of these groups the user belongs to. */
  async memberOf(userId: string, groupIds: readonly string[]): Promise<Set<string>> {
    if (groupIds.length === 0) return new Set();
    const rows = await this.db
      .selectFrom('group_memberships')
      .select('group_id')
      .where('user_id', '=', userId)
      .where('group_id', 'in', groupIds)
      .execute();
    return new Set(rows.map((r) => String(r.group_id)));
  }

  /** Active/invited members of a course, optionally only some enrollment types. */
  async courseMembers(courseId: string, types?: readonly string[]): Promise<string[]> {
    let query = this.db
      .selectFrom('enrollments')
      .select('user_id')
      .distinct()
      .where('course_id', '=', courseId)
      .where('enrollment_state', 'in', MESSAGEABLE_ENROLLMENT_STATES);
    if (types) query = query.where('type', 'in', types);
    return (await query.execute()).map((r) => String(r.user_id));
  }

  async groupMembers(groupId: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom('group_memberships')
      .select('user_id')
      .where('group_id', '=', groupId)
      .execute();
    return rows.map((r) => String(r.user_id));
  }

  /**
   * Active/invited enrollment types of several users in several courses, and their group
   * memberships, in two queries: `audience_contexts` for a whole page at once.
   */
  async contextsOfUsers(
    userIds: readonly string[],
    courseIds: readonly string[],
    groupIds: readonly string[],
  ): Promise<{ types: Map<string, string[]>; memberships: Set<string> }> {
    const types = new Map<string, string[]>();
    const memberships = new Set<string>();
    if (userIds.length === 0) return { types, memberships };
    const [enrollments, members] = await Promise.all([
      courseIds.length === 0
        ? Promise.resolve([])
        : this.db
            .selectFrom('enrollments')
            .select(['user_id', 'course_id', 'type'])
            .where('user_id', 'in', userIds)
            .where('course_id', 'in', courseIds)
            .where('enrollment_state', 'in', MESSAGEABLE_ENROLLMENT_STATES)
            .orderBy('type')
            .execute(),
      groupIds.length === 0
        ? Promise.resolve([])
        : this.db
            .selectFrom('group_memberships')
            .select(['user_id', 'group_id'])
            .where('user_id', 'in', userIds)
            .where('group_id', 'in', groupIds)
            .execute(),
    ]);
    for (const row of enrollments) {
      const key = `${row.user_id}/${row.course_id}`;
      types.set(key, [...(types.get(key) ?? []), row.type]);
    }
    for (const row of members) memberships.add(`${row.user_id}/${row.group_id}`);
    return { types, memberships };
  }
}
