import { type ExpressionBuilder, type Kysely, type SelectQueryBuilder, sql } from 'kysely';
import type { SchemalessDb } from '../schemaless';
import type { UsersDatabase } from '../users/usersTables';
import type { DirectoryDatabase } from './directoryTables';
import { MESSAGEABLE_ENROLLMENT_STATES } from './directoryQueries';

type Db = DirectoryDatabase & UsersDatabase;

export type RecipientContextKind = 'course' | 'group';

/** A course or group the caller belongs to, with how many members one could message there. */
export interface RecipientContext {
  kind: RecipientContextKind;
  id: string;
  name: string;
  userCount: number;
}

/** Keyset position in the contexts list: sorted by name, then kind, then id. */
export interface ContextCursor {
  name: string;
  kind: RecipientContextKind;
  id: string;
}

export interface RecipientUser {
  id: string;
  name: string;
  shortName: string;
  sortableName: string;
}

/** Keyset position in the users list: sorted by sortable name, then id. */
export interface UserCursor {
  sortableName: string;
  id: string;
}

/** A course (optionally one enrollment type of it, e.g. its students) or a group. */
export interface RecipientScope {
  kind: RecipientContextKind;
  id: string;
  enrollmentType?: string;
}

export interface Caller {
  id: string;
  siteAdmin: boolean;
}

export interface ContextSearch {
  /** Lower-cased words; each must begin some word of the name. */
  terms: readonly string[];
  excludeCourseIds: readonly string[];
  excludeGroupIds: readonly string[];
  after?: ContextCursor;
  limit: number;
}

export interface UserSearch {
  terms: readonly string[];
  /** Only members of this context; the caller must belong to it unless a site admin. */
  scope?: RecipientScope;
  excludeUserIds: readonly string[];
  after?: UserCursor;
  limit: number;
}

/** What a user shares with the caller: enrollment types by course id, `Member` by group id. */
export interface CommonContexts {
  courses: Record<string, string[]>;
  groups: Record<string, string[]>;
}

function likePattern(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/**
 * Every term must begin a word (after the start, a space or a hyphen) of one of the columns.
 * Lower-casing happens in SQL, so on SQLite only ASCII letters fold.
 */
function wordPrefixMatch(columns: readonly string[], terms: readonly string[]) {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return (eb: ExpressionBuilder<any, any>) =>
    eb.and(
      terms.map((term) => {
        const t = likePattern(term);
        return eb.or(
          columns.flatMap((column) =>
            [`${t}%`, `% ${t}%`, `%-${t}%`].map(
              (pattern) => sql<boolean>`lower(${sql.ref(column)}) like ${pattern} escape '\\'`,
            ),
          ),
        );
      }),
    );
}

/**
 * Rows strictly after `(key, id)` in `ORDER BY key, id`. The leading `key >=` lets both
 * databases seek the (key, id) index instead of walking it from the start.
 */
function afterKeyset(keyColumn: string, idColumn: string, key: string, id: string) {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return (eb: ExpressionBuilder<any, any>) =>
    eb.and([eb(keyColumn, '>=', key), eb.or([eb(keyColumn, '>', key), eb(idColumn, '>', id)])]);
}

/**
 * Canvas's recipient search over the directory: the caller's courses and groups, and the users
 * the caller may message (shares a course with both enrollments active or invited, or a group;
 * site admins: everyone). Every list is keyset-paged so no page re-reads an earlier one.
 */
export class RecipientSearch {
  private readonly db: Kysely<Db>;

  constructor(db: SchemalessDb) {
    this.db = db as Kysely<Db>;
  }

  /** The caller's own courses and groups whose names match, by name, kind, id. */
  async contexts(caller: Caller, search: ContextSearch): Promise<RecipientContext[]> {
    const { after, terms } = search;
    let courses = this.db
      .selectFrom('courses as c')
      .select((eb) => [
        sql<RecipientContextKind>`'course'`.as('kind'),
        'c.id as id',
        'c.name as name',
        eb
          .selectFrom('enrollments as e')
          .select(sql<number | string>`count(distinct e.user_id)`.as('n'))
          .whereRef('e.course_id', '=', 'c.id')
          .where('e.enrollment_state', 'in', MESSAGEABLE_ENROLLMENT_STATES)
          .as('user_count'),
      ])
      .where('c.id', 'in', (eb) =>
        eb
          .selectFrom('enrollments as mine')
          .select('mine.course_id')
          .where('mine.user_id', '=', caller.id)
          .where('mine.enrollment_state', 'in', MESSAGEABLE_ENROLLMENT_STATES),
      );
    let groups = this.db
      .selectFrom('groups as g')
      .select((eb) => [
        sql<RecipientContextKind>`'group'`.as('kind'),
        'g.id as id',
        'g.name as name',
        eb
          .selectFrom('group_memberships as m')
          .select(sql<number | string>`count(distinct m.user_id)`.as('n'))
          .whereRef('m.group_id', '=', 'g.id')
          .as('user_count'),
      ])
      .where('g.id', 'in', (eb) =>
        eb
          .selectFrom('group_memberships as mine')
          .select('mine.group_id')
          .where('mine.user_id', '=', caller.id),
      );
    if (terms.length > 0) {
      courses = courses.where(wordPrefixMatch(['c.name'], terms));
      groups = groups.where(wordPrefixMatch(['g.name'], terms));
    }
    if (search.excludeCourseIds.length > 0)
      courses = courses.where('c.id', 'not in', search.excludeCourseIds);
    if (search.excludeGroupIds.length > 0)
      groups = groups.where('g.id', 'not in', search.excludeGroupIds);
    // The kind is constant within each branch, so the (name, kind, id) keyset splits per branch.
    if (after) {
      courses =
        after.kind === 'course'
          ? courses.where(afterKeyset('c.name', 'c.id', after.name, after.id))
          : courses.where('c.name', '>', after.name);
      groups =
        after.kind === 'course'
          ? groups.where('g.name', '>=', after.name)
          : groups.where(afterKeyset('g.name', 'g.id', after.name, after.id));
    }
    const rows = await this.db
      .selectFrom(courses.unionAll(groups).as('x'))
      .selectAll()
      .orderBy('x.name')
      .orderBy('x.kind')
      .orderBy('x.id')
      .limit(search.limit)
      .execute();
    return rows.map((r) => ({
      kind: r.kind,
      id: String(r.id),
      name: r.name,
      userCount: Number(r.user_count ?? 0),
    }));
  }

  /** Whether the caller may search within a context: a messageable enrollment or membership. */
  async belongsTo(callerId: string, scope: RecipientScope): Promise<boolean> {
    const row =
      scope.kind === 'course'
        ? await this.db
            .selectFrom('enrollments')
            .select('id')
            .where('user_id', '=', callerId)
            .where('course_id', '=', scope.id)
            .where('enrollment_state', 'in', MESSAGEABLE_ENROLLMENT_STATES)
            .executeTakeFirst()
        : await this.db
            .selectFrom('group_memberships')
            .select('id')
            .where('user_id', '=', callerId)
            .where('group_id', '=', scope.id)
            .executeTakeFirst();
    return row !== undefined;
  }

  /**
   * Users the caller may message, other than the caller, whose name or short name matches,
   * by sortable name then id. Non-admins are driven from their own enrollments and memberships
   * (index lookups bounded by their address book); admins without a scope walk
   * `users_sortable_name_idx` from the cursor.
   */
  async users(caller: Caller, search: UserSearch): Promise<RecipientUser[]> {
    if (search.scope && !caller.siteAdmin && !(await this.belongsTo(caller.id, search.scope)))
      return [];
    const candidates = this.candidates(caller, search.scope);
    let query = candidates
      ? this.db
          .selectFrom(candidates.as('cand'))
          // CROSS JOIN keeps SQLite from walking the whole users index instead of the candidates.
          .crossJoin('users as u')
          .whereRef('u.id', '=', 'cand.user_id')
      : this.db.selectFrom('users as u');
    query = query.where('u.id', '<>', caller.id);
    if (search.terms.length > 0)
      query = query.where(wordPrefixMatch(['u.name', 'u.short_name'], search.terms));
    if (search.excludeUserIds.length > 0)
      query = query.where('u.id', 'not in', search.excludeUserIds);
    if (search.after)
      query = query.where(
        afterKeyset('u.sortable_name', 'u.id', search.after.sortableName, search.after.id),
      );
    const rows = await query
      .select(['u.id', 'u.name', 'u.short_name', 'u.sortable_name'])
      .orderBy('u.sortable_name')
      .orderBy('u.id')
      .limit(search.limit)
      .execute();
    return rows.map((r) => ({
      id: String(r.id),
      name: r.name,
      shortName: r.short_name,
      sortableName: r.sortable_name,
    }));
  }

  /** One user, if the caller may message them (the caller may always address themself). */
  async knownUser(caller: Caller, userId: string): Promise<RecipientUser | undefined> {
    let query = this.db
      .selectFrom('users as u')
      .select(['u.id', 'u.name', 'u.short_name', 'u.sortable_name'])
      .where('u.id', '=', userId);
    if (!caller.siteAdmin && userId !== caller.id) {
      const shared = this.sharedWithCaller(caller.id).where('user_id', '=', userId);
      query = query.where('u.id', 'in', shared);
    }
    const row = await query.executeTakeFirst();
    return (
      row && {
        id: String(row.id),
        name: row.name,
        shortName: row.short_name,
        sortableName: row.sortable_name,
      }
    );
  }

  /** For each user, the courses (their enrollment types) and groups they share with the caller. */
  async commonContexts(
    callerId: string,
    userIds: readonly string[],
  ): Promise<Map<string, CommonContexts>> {
    const out = new Map<string, CommonContexts>(
      userIds.map((id) => [id, { courses: {}, groups: {} }]),
    );
    if (userIds.length === 0) return out;
    const [courses, groups] = await Promise.all([
      this.db
        .selectFrom('enrollments as mine')
        .innerJoin('enrollments as theirs', 'theirs.course_id', 'mine.course_id')
        .select(['theirs.user_id as user_id', 'theirs.course_id as course_id', 'theirs.type'])
        .distinct()
        .where('mine.user_id', '=', callerId)
        .where('mine.enrollment_state', 'in', MESSAGEABLE_ENROLLMENT_STATES)
        .where('theirs.enrollment_state', 'in', MESSAGEABLE_ENROLLMENT_STATES)
        .where('theirs.user_id', 'in', userIds)
        .orderBy('theirs.course_id')
        .orderBy('theirs.type')
        .execute(),
      this.db
        .selectFrom('group_memberships as mine')
        .innerJoin('group_memberships as theirs', 'theirs.group_id', 'mine.group_id')
        .select(['theirs.user_id as user_id', 'theirs.group_id as group_id'])
        .distinct()
        .where('mine.user_id', '=', callerId)
        .where('theirs.user_id', 'in', userIds)
        .orderBy('theirs.group_id')
        .execute(),
    ]);
    for (const row of courses) {
      const common = out.get(String(row.user_id))!;
      (common.courses[String(row.course_id)] ??= []).push(row.type);
    }
    for (const row of groups) {
      out.get(String(row.user_id))!.groups[String(row.group_id)] = ['Member'];
    }
    return out;
  }

  /** Ids of users sharing a messageable course or any group with the caller. */
  private sharedWithCaller(callerId: string) {
    const viaCourses = this.db
      .selectFrom('enrollments as mine')
      .innerJoin('enrollments as theirs', 'theirs.course_id', 'mine.course_id')
      .select('theirs.user_id as user_id')
      .where('mine.user_id', '=', callerId)
      .where('mine.enrollment_state', 'in', MESSAGEABLE_ENROLLMENT_STATES)
      .where('theirs.enrollment_state', 'in', MESSAGEABLE_ENROLLMENT_STATES);
    const viaGroups = this.db
      .selectFrom('group_memberships as mine')
      .innerJoin('group_memberships as theirs', 'theirs.group_id', 'mine.group_id')
      .select('theirs.user_id as user_id')
      .where('mine.user_id', '=', callerId);
    return this.db.selectFrom(viaCourses.union(viaGroups).as('shared')).select('shared.user_id');
  }

  /** The ids a search may return, or undefined for "every user" (a site admin, no scope). */
  private candidates(
    caller: Caller,
    scope: RecipientScope | undefined,
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
  ): SelectQueryBuilder<any, any, { user_id: number | string }> | undefined {
    if (!scope) return caller.siteAdmin ? undefined : this.sharedWithCaller(caller.id);
    if (scope.kind === 'group') {
      return this.db
        .selectFrom('group_memberships')
        .select('user_id')
        .distinct()
        .where('group_id', '=', scope.id);
    }
    let members = this.db
      .selectFrom('enrollments')
      .select('user_id')
      .distinct()
      .where('course_id', '=', scope.id)
      .where('enrollment_state', 'in', MESSAGEABLE_ENROLLMENT_STATES);
    if (scope.enrollmentType) members = members.where('type', '=', scope.enrollmentType);
    return members;
  }
}
