import { Body, Controller, Get, HttpCode, Post, Query, Req, Res } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { DomainError } from '@missive/domain';
import {
  ConversationQueries,
  type ConversationView,
  type Page,
  type UserRecord,
} from '@missive/read-models';
import type { Request, Response } from 'express';
import { CurrentUser, RequestContext } from '../auth/currentUser';
import type { CommandContext } from '../infrastructure/commandContext';
import { CanvasError } from '../http/canvasError';
import { canvasLinkHeader, clampPerPage, parsePage } from '../http/canvasPagination';
import { canvasValidationPipe, conversationErrors } from '../http/canvasValidationPipe';
import { conversationJson, inInbox } from './conversationJson';
import { CreateConversationDto } from './createConversationDto';
import { CreateConversationCommand, type CreatedConversations } from './createConversationHandler';
import { ListConversationsDto } from './listConversationsDto';
import { ListConversationsQuery, scopeOf } from './listConversationsHandler';

export function baseUrlOf(req: Request): string {
  return `${req.protocol}://${req.get('host')}`;
}

/** Conversations' domain refusals: the bare array, except subject which is a model error. */
function conversationError(err: DomainError): CanvasError {
  if (err.kind === 'not_found') return CanvasError.notFound();
  if (err.kind === 'forbidden') return CanvasError.unauthorized();
  if (err.attribute === 'subject') {
    return CanvasError.model({
      subject: [{ attribute: 'subject', type: err.type, message: err.message }],
    });
  }
  return CanvasError.conversation(err.attribute, err.message);
}

@Controller('api/v1/conversations')
export class ConversationsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
    private readonly conversations: ConversationQueries,
  ) {}

  @Get()
  async list(
    @CurrentUser() user: UserRecord,
    @Query(canvasValidationPipe(conversationErrors)) query: ListConversationsDto,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ) {
    const page = parsePage(query.page);
    if (page === undefined) throw CanvasError.notFound();
    const perPage = clampPerPage(query.per_page);
    const result = await this.queries.execute<ListConversationsQuery, Page<ConversationView>>(
      new ListConversationsQuery(user.id, scopeOf(query.scope), page, perPage),
    );
    const base = baseUrlOf(req);
    res.setHeader(
      'Link',
      canvasLinkHeader(
        `${base}${req.path}`,
        req.query as Record<string, unknown>,
        { page, perPage },
        result.total,
      ),
    );
    return result.items.map((view) => conversationJson(view, { visible: true, baseUrl: base }));
  }

  @Post()
  @HttpCode(201)
  async create(
    @CurrentUser() user: UserRecord,
    @RequestContext() ctx: CommandContext,
    @Body(canvasValidationPipe(conversationErrors)) body: CreateConversationDto,
    @Req() req: Request,
  ) {
    let created: CreatedConversations;
    try {
      created = await this.commands.execute<CreateConversationCommand, CreatedConversations>(
        new CreateConversationCommand(
          {
            authorId: user.id,
            recipients: body.recipients,
            subject: body.subject,
            body: body.body,
            groupConversation: body.group_conversation ?? false,
            bulkMessage: body.bulk_message ?? false,
            forceNew: body.force_new ?? false,
            contextCode: body.context_code,
          },
          ctx,
        ),
      );
    } catch (err) {
      if (err instanceof DomainError) throw conversationError(err);
      throw err;
    }
    const views = await this.conversations.findForUser(user.id, created.conversationIds);
    const base = baseUrlOf(req);
    if (created.batch) {
      // Canvas orders a batch by visible_last_authored_at, last_message_at, id (all DESC).
      views.sort(
        (a, b) =>
          cmp(b.lastAuthoredAt, a.lastAuthoredAt) ||
          cmp(b.lastMessageAt, a.lastMessageAt) ||
          Number(b.id) - Number(a.id),
      );
      return views.map((v) => conversationJson(v, { visible: inInbox(v), baseUrl: base }));
    }
    const messages = await this.conversations.messages([...created.messageIds.values()]);
    return views.map((v) => conversationJson(v, { visible: inInbox(v), baseUrl: base, messages }));
  }
}

function cmp(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  return a < b ? -1 : 1;
}
