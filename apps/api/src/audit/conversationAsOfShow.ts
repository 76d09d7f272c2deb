import { Injectable } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { UserQueries } from '@missive/read-models';
import type { AuthenticatedRequest } from '../auth/authenticatedRequest';
import { ConversationRenderer } from '../conversations/conversationRenderer';
import { toBoolean } from '../conversations/createConversationDto';
import { visibilityOf } from '../conversations/conversationVisibility';
import { CanvasError } from '../http/canvasError';
import { parseCanvasTime } from '../http/parseCanvasTime';
import { requestOrigin } from '../http/requestOrigin';
import { asOfViews } from './asOfViews';
import { ConversationAsOfQuery, type ParticipantConversationAsOf } from './conversationAsOfQuery';

/**
 * GET /api/v1/conversations/:id?as_of=<time>: show's JSON for the conversation as the log had
 * it at that moment, for the request's user (with `as_user_id`, the participant a site admin
 * looks through). Only site admins may ask; it reads and writes nothing else (no mark-read).
 */
@Injectable()
export class ConversationAsOfShow {
  constructor(
    private readonly queries: QueryBus,
    private readonly users: UserQueries,
    private readonly render: ConversationRenderer,
  ) {}

  async show(req: AuthenticatedRequest, id: string, rawAsOf: unknown) {
    if (!(req.realUser ?? req.user).siteAdmin) throw CanvasError.unauthorized();
    const asOf = parseCanvasTime(rawAsOf);
    if (!asOf)
      throw CanvasError.model({
        as_of: [{ attribute: 'as_of', type: 'invalid', message: 'must be an ISO 8601 time' }],
      });
    if (!/^\d{1,16}$/.test(id)) throw CanvasError.notFound();
    const found = await this.queries.execute<
      ConversationAsOfQuery,
      ParticipantConversationAsOf | undefined
    >(new ConversationAsOfQuery(id, req.user.id, asOf));
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
    const query = req.query as Record<string, unknown>;
    return this.render.show(view, {
      forwarded,
      visible: visibilityOf(req.query, req.body)(view),
      baseUrl: requestOrigin(req),
      messages,
      participantContexts:
        query['include_participant_contexts'] === undefined ||
        toBoolean({ value: query['include_participant_contexts'] }) !== false,
    });
  }
}
