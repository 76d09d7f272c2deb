import { Injectable } from '@nestjs/common';
import { DirectoryQueries, type ConversationView } from '@missive/read-models';

export interface AudienceContexts {
  courses: Record<string, string[]>;
  groups: Record<string, string[]>;
}

/**
 * Canvas's `audience_contexts`: the viewer's context tags keyed by id (string
 * keys); when the audience is one user, each course lists that user's enrollment types and
 * each group `["Member"]`, otherwise the lists are empty. A whole page costs two queries.
 */
@Injectable()
export class AudienceContextsBuilder {
  constructor(private readonly directory: DirectoryQueries) {}

  async forViews(views: readonly ConversationView[]): Promise<Map<string, AudienceContexts>> {
    const plans = views.map((view) => {
      const others = view.participants.filter((p) => p.id !== view.userId);
      return {
        view,
        courseIds: view.tags.filter((t) => t.startsWith('course_')).map((t) => t.slice(7)),
        groupIds: view.tags.filter((t) => t.startsWith('group_')).map((t) => t.slice(6)),
        single: others.length === 1 ? others[0]!.id : others.length === 0 ? view.userId : null,
      };
    });
    const withSingle = plans.filter(
      (p) => p.single !== null && p.courseIds.length + p.groupIds.length > 0,
    );
    const { types, memberships } = await this.directory.contextsOfUsers(
      [...new Set(withSingle.map((p) => p.single!))],
      [...new Set(withSingle.flatMap((p) => p.courseIds))],
      [...new Set(withSingle.flatMap((p) => p.groupIds))],
    );
    return new Map(
      plans.map(({ view, courseIds, groupIds, single }) => [
        view.id,
        {
          courses: Object.fromEntries(
            courseIds.map((id) => [id, single ? (types.get(`${single}/${id}`) ?? []) : []]),
          ),
          groups: Object.fromEntries(
            groupIds.map((id) => [
              id,
              single && memberships.has(`${single}/${id}`) ? ['Member'] : [],
            ]),
          ),
        },
      ]),
    );
  }
}
