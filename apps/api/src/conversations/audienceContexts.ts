import { Injectable } from '@nestjs/common';
import { DirectoryQueries, type ConversationView } from '@missive/read-models';

export interface AudienceContexts {
  courses: Record<string, string[]>;
  groups: Record<string, string[]>;
}

/**
 * Canvas's `audience_contexts` (specs §1.8): the viewer's context tags keyed by id (string
 * keys); when the audience is one user, each course lists that user's enrollment types and
 * each group `["Member"]`, otherwise the lists are empty.
 */
@Injectable()
export class AudienceContextsBuilder {
  constructor(private readonly directory: DirectoryQueries) {}

  async forViews(views: readonly ConversationView[]): Promise<Map<string, AudienceContexts>> {
    const result = new Map<string, AudienceContexts>();
    await Promise.all(
      views.map(async (view) => {
        const courseIds = view.tags.filter((t) => t.startsWith('course_')).map((t) => t.slice(7));
        const groupIds = view.tags.filter((t) => t.startsWith('group_')).map((t) => t.slice(6));
        const others = view.participants.filter((p) => p.id !== view.userId);
        const single =
          others.length === 1 ? others[0]!.id : others.length === 0 ? view.userId : null;
        const [types, groups] =
          single && (courseIds.length > 0 || groupIds.length > 0)
            ? await Promise.all([
                this.directory.enrollmentTypes(single, courseIds),
                this.directory.memberOf(single, groupIds),
              ])
            : [new Map<string, string[]>(), new Set<string>()];
        result.set(view.id, {
          courses: Object.fromEntries(
            courseIds.map((id) => [id, single ? (types.get(id) ?? []) : []]),
          ),
          groups: Object.fromEntries(
            groupIds.map((id) => [id, single && groups.has(id) ? ['Member'] : []]),
          ),
        });
      }),
    );
    return result;
  }
}
