import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import {
  ConversationBatchQueries,
  type ConversationBatchRecord,
  type Page,
} from '@missive/read-models';

/** GET /conversations/batches: the user's batches still sending, oldest first. */
export class ListBatchesQuery {
  constructor(
    readonly userId: string,
    readonly page: number,
    readonly perPage: number,
  ) {}
}

@QueryHandler(ListBatchesQuery)
export class ListBatchesHandler implements IQueryHandler<
  ListBatchesQuery,
  Page<ConversationBatchRecord>
> {
  constructor(private readonly batches: ConversationBatchQueries) {}

  execute({ userId, page, perPage }: ListBatchesQuery): Promise<Page<ConversationBatchRecord>> {
    return this.batches.unfinished(userId, { limit: perPage, offset: (page - 1) * perPage });
  }
}
