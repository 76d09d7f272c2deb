import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { DomainError } from '@missive/domain';
import { ProgressQueries, type ProgressRecord } from '@missive/read-models';

/** GET /progress/:id: a background job's state, for its owner and site admins. */
export class ShowProgressQuery {
  constructor(
    readonly viewer: { id: string; siteAdmin: boolean },
    readonly progressId: string,
  ) {}
}

@QueryHandler(ShowProgressQuery)
export class ShowProgressHandler implements IQueryHandler<ShowProgressQuery, ProgressRecord> {
  constructor(private readonly progress: ProgressQueries) {}

  async execute({ viewer, progressId }: ShowProgressQuery): Promise<ProgressRecord> {
    const progress = await this.progress.find(progressId);
    if (!progress) throw new DomainError('not_found', 'id', 'progress not found');
    if (progress.userId !== viewer.id && !viewer.siteAdmin) {
      throw new DomainError('forbidden', 'id', 'not the owner');
    }
    return progress;
  }
}
