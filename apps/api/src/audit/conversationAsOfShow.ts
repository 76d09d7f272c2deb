import { type IQueryHandler, QueryBus, QueryHandler } from '@nestjs/cqrs';
import { UserQueries } from '@missive/read-models';
import { ConversationRenderer } from '../conversations/conversationRenderer';
import type { ConversationView } from '@missive/read-models';
import { CanvasError } from '../http/canvasError';
import { parseCanvasTime } from '../http/parseCanvasTime';
import { asOfViews } from './asOfViews';
import { ConversationAsOfQuery, type ParticipantConversationAsOf } from './conversationAsOfQuery';

/**
 * GET /api/v1/conversations/:id?as_of=<time>: show's JSON for the conversation as the log had
 * it at that moment, for `userId` (with `as_user_id`, the participant a site admin looks
 * through). What the request said, already read off it by the controller.
 */
export class ShowConversationAsOfQuery {
  constructor(
    /** The caller (the real one behind `as_user_id`) is a site admin. */
    readonly callerIsSiteAdmin: boolean,
    readonly userId: string,
    readonly conversationId: string,
    readonly rawAsOf: unknown,
    /** The `filter[]` the request gave: whether the conversation is shown at all. */
    readonly visible: (view: ConversationView) => boolean,
    readonly baseUrl: string,
    readonly participantContexts: boolean,
  ) {}
}

/**
 * Only site admins may ask; it reads and writes nothing else (no mark-read). Refusals come in
 * Canvas's order: the caller's right first, then the time, then the id.
 */
@QueryHandler(ShowConversationAsOfQuery)
export class ConversationAsOfShow implements IQueryHandler<ShowConversationAsOfQuery, unknown> {
  constructor(
    private readonly queries: QueryBus,
    private readonly users: UserQueries,
    private readonly render: ConversationRenderer,
  ) {}

  async execute(query: ShowConversationAsOfQuery): Promise<unknown> {
    if (!query.callerIsSiteAdmin) throw CanvasError.unauthorized();
    const asOf = parseCanvasTime(query.rawAsOf);
    if (!asOf)
      throw CanvasError.model({
        as_of: [{ attribute: 'as_of', type: 'invalid', message: 'must be an ISO 8601 time' }],
      });
    if (!/^\d{1,16}$/.test(query.conversationId)) throw CanvasError.notFound();
    const found = await this.queries.execute<
      ConversationAsOfQuery,
      ParticipantConversationAsOf | undefined
    >(new ConversationAsOfQuery(query.conversationId, query.userId, asOf));
    if (!found) throw CanvasError.notFound();
    const users = new Map(
      (await this.users.findByIds([...found.conversation.participants.keys()])).map((u) => [
        u.id,
        u,
      ]),
    );
    const { view, messages, forwarded } = asOfViews(found, users);
    // As show: a conversation whose messages the participant no longer holds is not found.
    if (view.messageCount === 0) throw CanvasError.notFound();
    return this.render.show(view, {
      forwarded,
      visible: query.visible(view),
      baseUrl: query.baseUrl,
      messages,
      participantContexts: query.participantContexts,
    });
  }
}
