import { Injectable } from '@nestjs/common';
import { DirectoryQueries, UserQueries } from '@missive/read-models';
import { isCanvasId } from '../http/canvasId';

const CONTEXT_TOKEN = /^(course|group)_(\d{1,16})(?:_(students|teachers|tas|observers))?$/;
const ROLE_TYPES: Record<string, string> = {
  students: 'StudentEnrollment',
  teachers: 'TeacherEnrollment',
  tas: 'TaEnrollment',
  observers: 'ObserverEnrollment',
};
/** Enrollment types that carry Canvas's `send_messages_all` by default. */
const SEND_MESSAGES_ALL = new Set(['TeacherEnrollment', 'TaEnrollment', 'DesignerEnrollment']);

export interface Resolution {
  userIds: string[];
  /** A whole-course (or students/observers) token without `send_messages_all`. */
  restricted: boolean;
}

/**
 * Canvas's `normalize_recipients`: user ids are kept when the author may message them (shares a
 * course or group, or is a site admin); `course_N[_students|_teachers|_tas|_observers]` and
 * `group_N` expand to their members when the author belongs there. The list is de-duplicated
 * and the author removed unless nobody else remains and the author named themself.
 */
@Injectable()
export class RecipientResolver {
  constructor(
    private readonly users: UserQueries,
    private readonly directory: DirectoryQueries,
  ) {}

  async resolve(
    author: { id: string; siteAdmin: boolean },
    raw: readonly string[],
  ): Promise<string[]> {
    return (await this.resolveWithRoles(author, raw)).userIds;
  }

  async resolveWithRoles(
    author: { id: string; siteAdmin: boolean },
    raw: readonly string[],
  ): Promise<Resolution> {
    let restricted = false;
    const fromContexts: string[] = [];
    for (const token of raw) {
      const match = CONTEXT_TOKEN.exec(token);
      if (!match) continue;
      const [, kind, id, role] = match as unknown as [string, string, string, string | undefined];
      if (kind === 'group') {
        const members = await this.directory.groupMembers(id);
        if (author.siteAdmin || members.includes(author.id)) fromContexts.push(...members);
        continue;
      }
      const mine = (await this.directory.enrollmentTypes(author.id, [id])).get(id) ?? [];
      if (!author.siteAdmin && mine.length === 0) continue;
      const sendAll = author.siteAdmin || mine.some((t) => SEND_MESSAGES_ALL.has(t));
      if (!sendAll && (role === undefined || role === 'students' || role === 'observers'))
        restricted = true;
      fromContexts.push(
        ...(await this.directory.courseMembers(id, role ? [ROLE_TYPES[role]!] : undefined)),
      );
    }

    const ids = [...new Set(raw.filter(isCanvasId).map((r) => String(Number(r))))];
    const known = new Set((await this.users.findByIds(ids)).map((u) => u.id));
    const others = ids.filter((id) => known.has(id) && id !== author.id);
    const allowed = author.siteAdmin
      ? new Set(others)
      : await this.directory.messageableAmong(author.id, others);
    const resolved = [
      ...new Set([...others.filter((id) => allowed.has(id)), ...fromContexts]),
    ].filter((id) => id !== author.id);
    if (resolved.length > 0) return { userIds: resolved, restricted };
    return {
      userIds: ids.includes(author.id) && known.has(author.id) ? [author.id] : [],
      restricted,
    };
  }
}
