import { Injectable } from '@nestjs/common';
import { DirectoryQueries, UserQueries } from '@missive/read-models';

/**
 * Canvas's `normalize_recipients` for user ids: known, messageable users only (shares a course
 * or group with the author, or the author is a site admin), de-duplicated, the author removed
 * unless the author named themself and nobody else remains (a monologue). `course_N`/`group_N`
 * expansion arrives with the rest of the Conversations API; until then such tokens match nobody.
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
    const ids = [...new Set(raw.filter((r) => /^\d{1,16}$/.test(r)).map((r) => String(Number(r))))];
    const known = new Set((await this.users.findByIds(ids)).map((u) => u.id));
    const others = ids.filter((id) => known.has(id) && id !== author.id);
    const allowed = author.siteAdmin
      ? new Set(others)
      : await this.directory.messageableAmong(author.id, others);
    const messageable = others.filter((id) => allowed.has(id));
    if (messageable.length > 0) return messageable;
    return ids.includes(author.id) && known.has(author.id) ? [author.id] : [];
  }
}
