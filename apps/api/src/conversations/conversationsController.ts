import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Post,
  Put,
  Query,
  Req,
  Res,
} from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import {
  BATCH_UPDATE_EVENTS,
  DomainError,
  IdGenerator,
  deleteParticipantView,
  removeMessages,
  updateParticipantView,
  type BatchUpdateEvent,
} from '@missive/domain';
import {
  ConversationBatchQueries,
  ConversationQueries,
  type ConversationView,
  type MessageView,
  type Page,
  type UserRecord,
} from '@missive/read-models';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { pathOf } from '../http/requestPath';
import { requestOrigin } from '../http/requestOrigin';
import { CurrentUser, RequestContext } from '../auth/currentUser';
import type { CommandContext } from '@missive/command-handling';
import { CanvasError } from '../http/canvasError';
import { canvasLinkHeader, clampPerPage, parsePage } from '../http/canvasPagination';
import { canvasTime } from '../http/canvasTime';
import { PlainQueryPipe } from '../http/plainQueryPipe';
import {
  canvasValidationPipe,
  conversationErrors,
  modelErrors,
} from '../http/canvasValidationPipe';
import { requestIds } from '../idempotency/requestIds';
import { AddMessageCommand } from './addMessageHandler';
import { conversationJson } from './conversationJson';
import { toBoolean } from './createConversationDto';
import { ChangeParticipantViewsCommand } from './participantViewHandler';
import { AddRecipientsCommand } from './addRecipientsHandler';
import { AudienceContextsBuilder } from './audienceContexts';
import { BatchUpdateConversationsCommand } from './batchUpdateHandler';
import { BatchUpdateDto } from './batchUpdateDto';
import { ProgressQueries } from '@missive/read-models';
import { progressJson } from '../progress/progressJson';
import { RecipientResolver } from './recipientResolver';
import { ConversationRenderer } from './conversationRenderer';
import { ConversationAsOfShow } from '../audit/conversationAsOfShow';
import type { AuthenticatedRequest } from '../auth/authenticatedRequest';
import {
  AddMessageDto,
  AddRecipientsDto,
  RemoveMessagesDto,
  UpdateConversationDto,
} from './updateConversationDto';
import { CreateConversationDto } from './createConversationDto';
import { CreateConversationCommand, type CreatedConversations } from './createConversationHandler';
import { ListConversationsDto } from './listConversationsDto';
import { filterFromParams, visibilityOf } from './conversationVisibility';
import { ListConversationsQuery, scopeOf } from './listConversationsHandler';

/** The hottest endpoint: its usual query (page, per_page, scope) skips the validators. */
const listQueryPipe = new PlainQueryPipe(
  ListConversationsDto,
  ['scope', 'page', 'per_page', 'filter_mode'],
  canvasValidationPipe(conversationErrors),
);

/** Files are out of scope: any attachment id names a file that does not exist (a 400). */
function refuseAttachments(ids: unknown[] | undefined): void {
  if (ids && ids.length > 0) throw CanvasError.conversation('attachment_ids', 'invalid');
}

function mediaCommentOf(body: { media_comment_id?: string; media_comment_type?: string }) {
  return body.media_comment_id
    ? { mediaId: body.media_comment_id, mediaType: body.media_comment_type ?? 'video' }
    : null;
}

export function baseUrlOf(req: FastifyRequest): string {
  return requestOrigin(req);
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
    private readonly recipients: RecipientResolver,
    private readonly progress: ProgressQueries,
    private readonly audienceContexts: AudienceContextsBuilder,
    private readonly batchQueries: ConversationBatchQueries,
    private readonly render: ConversationRenderer,
    private readonly asOf: ConversationAsOfShow,
    private readonly ids: IdGenerator,
  ) {}

  /** Batch update (specs §1.9): checks in Canvas's order, errors as `{"message": ...}`. */
  @Put()
  async batchUpdate(
    @CurrentUser() user: UserRecord,
    @RequestContext() ctx: CommandContext,
    @Body(canvasValidationPipe(conversationErrors)) body: BatchUpdateDto,
    @Req() req: FastifyRequest,
  ) {
    const ids = body.conversation_ids;
    if (!Array.isArray(ids) || ids.length === 0) {
      throw new CanvasError(400, { message: 'conversation_ids not specified' });
    }
    if (ids.length > 500)
      throw new CanvasError(400, { message: 'conversation batch size limit (500) exceeded' });
    if (body.event === undefined || body.event === '')
      throw new CanvasError(400, { message: 'event not specified' });
    if (
      typeof body.event !== 'string' ||
      !(BATCH_UPDATE_EVENTS as readonly string[]).includes(body.event)
    ) {
      throw new CanvasError(400, { message: 'invalid event' });
    }
    const conversationIds = ids.map(String).filter((id) => /^\d{1,16}$/.test(id));
    const progressId = await this.commands.execute<BatchUpdateConversationsCommand, string>(
      new BatchUpdateConversationsCommand(
        user.id,
        conversationIds,
        body.event as BatchUpdateEvent,
        ctx,
      ),
    );
    return progressJson((await this.progress.find(progressId))!, baseUrlOf(req));
  }

  /** The user's batches still sending (specs §1.9), paged by id with the Link header. */
  @Get('batches')
  async batches(
    @CurrentUser() user: UserRecord,
    @Query() query: Record<string, unknown>,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) res: FastifyReply,
  ) {
    const page = parsePage(query['page']);
    if (page === undefined) throw CanvasError.notFound();
    const perPage = clampPerPage(query['per_page']);
    const result = await this.batchQueries.unfinished(user.id, {
      limit: perPage,
      offset: (page - 1) * perPage,
    });
    const base = baseUrlOf(req);
    res.header(
      'Link',
      canvasLinkHeader(`${base}${pathOf(req)}`, query, { page, perPage }, result.total),
    );
    return result.items.map((b) => ({
      id: Number(b.id),
      workflow_state: b.workflowState,
      completion: b.workflowState === 'sent' ? 1 : 0,
      recipient_count: b.recipientCount,
      message: {
        id: b.rootMessageId === null ? null : Number(b.rootMessageId),
        created_at: canvasTime(b.createdAt),
        body: b.body,
        author_id: Number(b.userId),
        generated: false,
        media_comment: null,
        forwarded_messages: [],
        attachments: [],
        // The batch's template message belongs to no conversation: nobody holds a copy of it.
        participating_user_ids: [],
      },
      tags: b.tags,
    }));
  }

  @Get('unread_count')
  async unreadCount(@CurrentUser() user: UserRecord) {
    // A string, as Canvas sends it.
    return { unread_count: String(await this.conversations.unreadCount(user.id)) };
  }

  @Post('mark_all_as_read')
  @HttpCode(200)
  async markAllAsRead(@CurrentUser() user: UserRecord, @RequestContext() ctx: CommandContext) {
    const at = new Date().toISOString();
    const ids = await this.conversations.unreadIds(user.id);
    await this.commands.execute(
      new ChangeParticipantViewsCommand(
        ids.flatMap((conversationId) =>
          updateParticipantView({
            conversationId,
            userId: user.id,
            private: false,
            workflowState: 'read',
            at,
          }),
        ),
        ctx,
      ),
    );
    return {};
  }

  @Get(':id')
  async show(
    @CurrentUser() user: UserRecord,
    @RequestContext() ctx: CommandContext,
    @Param('id') id: string,
    @Query() query: Record<string, unknown>,
    @Req() req: FastifyRequest,
  ) {
    // The audit's past view (site admins): folded from the log, see audit/.
    if (query['as_of'] !== undefined)
      return this.asOf.show(req as AuthenticatedRequest, id, query['as_of']);
    const visible = visibilityOf(req.query, req.body);
    let view = await this.participantView(user, id);
    if (view.messageCount === 0) throw CanvasError.notFound();
    // Showing marks read unless auto_mark_as_read is falsy (API default: true).
    const autoMark =
      query['auto_mark_as_read'] === undefined ||
      toBoolean({ value: query['auto_mark_as_read'] }) === true;
    if (autoMark && view.workflowState === 'unread') {
      const at = new Date().toISOString();
      await this.commands.execute(
        new ChangeParticipantViewsCommand(
          updateParticipantView({
            conversationId: id,
            userId: user.id,
            private: view.private,
            workflowState: 'read',
            at,
          }),
          ctx,
        ),
      );
      view = await this.participantView(user, id);
    }
    const messages = await this.conversations.messagesForUser(user.id, id);
    return this.render.show(view, {
      forwarded: await this.forwardedOf(messages),
      visible: visible(view),
      baseUrl: baseUrlOf(req),
      messages,
      participantContexts:
        query['include_participant_contexts'] === undefined ||
        toBoolean({ value: query['include_participant_contexts'] }) !== false,
    });
  }

  @Put(':id')
  async update(
    @CurrentUser() user: UserRecord,
    @RequestContext() ctx: CommandContext,
    @Param('id') id: string,
    @Body(canvasValidationPipe(modelErrors)) body: UpdateConversationDto,
    @Req() req: FastifyRequest,
  ) {
    const visible = visibilityOf(req.query, req.body);
    if (!body.conversation) throw CanvasError.missing('conversation');
    const view = await this.participantView(user, id);
    const events = updateParticipantView({
      conversationId: id,
      userId: user.id,
      private: view.private,
      workflowState: body.conversation.workflow_state,
      starred: body.conversation.starred,
      subscribed: body.conversation.subscribed,
      at: new Date().toISOString(),
    });
    if (events.length > 0)
      await this.commands.execute(new ChangeParticipantViewsCommand(events, ctx));
    const updated = await this.participantView(user, id);
    return this.render.detail(updated, {
      visible: visible(updated),
      baseUrl: baseUrlOf(req),
    });
  }

  @Delete(':id')
  async remove(
    @CurrentUser() user: UserRecord,
    @RequestContext() ctx: CommandContext,
    @Param('id') id: string,
    @Req() req: FastifyRequest,
  ) {
    await this.participantView(user, id);
    await this.commands.execute(
      new ChangeParticipantViewsCommand(
        deleteParticipantView({
          conversationId: id,
          userId: user.id,
          at: new Date().toISOString(),
        }),
        ctx,
      ),
    );
    const deleted = await this.participantView(user, id);
    return this.render.detail(deleted, { visible: false, baseUrl: baseUrlOf(req) });
  }

  @Post(':id/add_message')
  @HttpCode(200)
  async addMessage(
    @CurrentUser() user: UserRecord,
    @RequestContext() ctx: CommandContext,
    @Param('id') id: string,
    @Body(canvasValidationPipe(conversationErrors)) body: AddMessageDto,
    @Req() req: FastifyRequest,
  ) {
    const visible = visibilityOf(req.query, req.body);
    const current = await this.participantView(user, id);
    refuseAttachments(body.attachment_ids);
    let recipients: string[] | undefined;
    if (body.recipients && body.recipients.length > 0) {
      // Current participants stay addressable; anyone new must be in the author's address book.
      const members = new Set(current.participants.map((p) => p.id));
      const named = body.recipients.map((r) => r.trim());
      const newcomers = await this.recipients.resolve(
        user,
        named.filter((r) => !members.has(r)),
      );
      recipients = [
        ...new Set([
          ...named.filter((r) => members.has(r)),
          ...newcomers.filter((r) => r !== user.id),
        ]),
      ];
      if (recipients.length === 0) throw CanvasError.conversation('recipients', 'invalid');
    }
    const included = [...new Set(body.included_messages ?? [])];
    if (included.length > 0) await this.checkIncluded(user.id, id, included);
    let messageId: string;
    try {
      messageId = await this.commands.execute<AddMessageCommand, string>(
        new AddMessageCommand(
          id,
          user.id,
          body.body ?? '',
          recipients,
          ctx,
          mediaCommentOf(body),
          included,
          requestIds(req, this.ids),
        ),
      );
    } catch (err) {
      if (err instanceof DomainError) throw conversationError(err);
      throw err;
    }
    const view = await this.participantView(user, id);
    const messages = await this.conversations.messages([messageId]);
    return this.render.detail(view, {
      visible: visible(view),
      baseUrl: baseUrlOf(req),
      messages,
      forwarded: await this.forwardedOf(messages),
    });
  }

  @Post(':id/add_recipients')
  @HttpCode(200)
  async addRecipients(
    @CurrentUser() user: UserRecord,
    @RequestContext() ctx: CommandContext,
    @Param('id') id: string,
    @Body(canvasValidationPipe(conversationErrors)) body: AddRecipientsDto,
    @Req() req: FastifyRequest,
  ) {
    const visible = visibilityOf(req.query, req.body);
    await this.participantView(user, id);
    const resolved = (await this.recipients.resolve(user, body.recipients ?? [])).filter(
      (r) => r !== user.id,
    );
    // Nobody (new) to add: Canvas answers a bare `{}`.
    if (resolved.length === 0) throw new CanvasError(400, {});
    let messageId: string;
    try {
      messageId = await this.commands.execute<AddRecipientsCommand, string>(
        new AddRecipientsCommand(
          id,
          { id: user.id, shortName: user.shortName || user.name },
          resolved,
          ctx,
          requestIds(req, this.ids),
        ),
      );
    } catch (err) {
      if (err instanceof DomainError && err.type === 'empty') throw new CanvasError(400, {});
      if (err instanceof DomainError) throw conversationError(err);
      throw err;
    }
    const view = await this.participantView(user, id);
    const messages = await this.conversations.messages([messageId]);
    return this.render.detail(view, {
      visible: visible(view),
      baseUrl: baseUrlOf(req),
      messages,
    });
  }

  @Post(':id/remove_messages')
  @HttpCode(200)
  async removeMessages(
    @CurrentUser() user: UserRecord,
    @RequestContext() ctx: CommandContext,
    @Param('id') id: string,
    @Body(canvasValidationPipe(conversationErrors)) body: RemoveMessagesDto,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) res: FastifyReply,
  ) {
    const visible = visibilityOf(req.query, req.body);
    await this.participantView(user, id);
    const events = removeMessages({
      conversationId: id,
      userId: user.id,
      messageIds: (body.remove ?? []).filter((m) => /^\d{1,16}$/.test(m)),
      at: new Date().toISOString(),
    });
    // Canvas renders nothing without `remove`: an empty 204.
    if (events.length === 0) {
      res.status(204);
      return undefined;
    }
    await this.commands.execute(new ChangeParticipantViewsCommand(events, ctx));
    const view = await this.participantView(user, id);
    return this.render.detail(view, {
      visible: visible(view),
      baseUrl: baseUrlOf(req),
    });
  }

  /** included_messages (specs §1.6): each must be of this conversation and held by the caller. */
  private async checkIncluded(
    userId: string,
    conversationId: string,
    ids: string[],
  ): Promise<void> {
    const valid = ids.filter((m) => /^\d{1,16}$/.test(m));
    const found = await this.conversations.messages(valid);
    if (found.length !== ids.length || found.some((m) => m.conversationId !== conversationId)) {
      throw CanvasError.conversation('included_messages', 'not for this conversation');
    }
    const held = new Set(
      (await this.conversations.messagesForUser(userId, conversationId)).map((m) => m.id),
    );
    if (ids.some((m) => !held.has(m)))
      throw CanvasError.conversation('included_messages', 'not a participant');
  }

  /** Every message forwarded by these, transitively (bounded), for `forwarded_messages`. */
  private async forwardedOf(messages: readonly MessageView[]): Promise<Map<string, MessageView>> {
    const found = new Map<string, MessageView>();
    let wanted = [...new Set(messages.flatMap((m) => m.forwardedMessageIds))];
    for (let depth = 0; depth < 5 && wanted.length > 0; depth++) {
      const batch = await this.conversations.messages(wanted.filter((w) => !found.has(w)));
      for (const m of batch) found.set(m.id, m);
      wanted = [...new Set(batch.flatMap((m) => m.forwardedMessageIds))].filter(
        (w) => !found.has(w),
      );
    }
    return found;
  }

  /** This user's row of the conversation; anyone else (or a bad id) gets Canvas's 404. */
  private async participantView(user: UserRecord, id: string): Promise<ConversationView> {
    if (!/^\d{1,16}$/.test(id)) throw CanvasError.notFound();
    const [view] = await this.conversations.findForUser(user.id, [id]);
    if (!view) throw CanvasError.notFound();
    return view;
  }

  @Get()
  async list(
    @CurrentUser() user: UserRecord,
    @Query(listQueryPipe) query: ListConversationsDto,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) res: FastifyReply,
  ) {
    const page = parsePage(query.page);
    if (page === undefined) throw CanvasError.notFound();
    const perPage = clampPerPage(query.per_page);
    const filter = filterFromParams(query as unknown as Record<string, unknown>);
    const result = await this.queries.execute<ListConversationsQuery, Page<ConversationView>>(
      new ListConversationsQuery(user.id, scopeOf(query.scope), page, perPage, filter),
    );
    const base = baseUrlOf(req);
    res.header(
      'Link',
      canvasLinkHeader(
        `${base}${pathOf(req)}`,
        req.query as Record<string, unknown>,
        { page, perPage },
        result.total,
      ),
    );
    const avatars = query.include?.includes('participant_avatars') ?? false;
    const contexts = await this.audienceContexts.forViews(result.items);
    const names = await this.render.contextNames(result.items.map((v) => v.contextCode));
    const conversations = result.items.map((view) =>
      conversationJson(view, {
        visible: true,
        baseUrl: base,
        avatars,
        audienceContexts: contexts.get(view.id),
        contextName: names.get(view.contextCode ?? ''),
        listContextName: true,
      }),
    );
    if (!query.include_all_conversation_ids) return conversations;
    const ids = await this.conversations.allIds(user.id, scopeOf(query.scope), filter);
    return { conversations, conversation_ids: ids.map(Number) };
  }

  @Post()
  @HttpCode(201)
  async create(
    @CurrentUser() user: UserRecord,
    @RequestContext() ctx: CommandContext,
    @Body(canvasValidationPipe(conversationErrors)) body: CreateConversationDto,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) res: FastifyReply,
  ) {
    const visible = visibilityOf(req.query, req.body);
    refuseAttachments(body.attachment_ids);
    let created: CreatedConversations;
    try {
      created = await this.commands.execute<CreateConversationCommand, CreatedConversations>(
        new CreateConversationCommand(
          {
            authorId: user.id,
            authorIsAdmin: user.siteAdmin,
            recipients: body.recipients,
            subject: body.subject,
            body: body.body,
            groupConversation: body.group_conversation ?? false,
            bulkMessage: body.bulk_message ?? false,
            forceNew: body.force_new ?? false,
            contextCode: body.context_code,
            mediaComment: mediaCommentOf(body),
            async: body.mode === 'async',
            ids: requestIds(req, this.ids),
          },
          ctx,
        ),
      );
    } catch (err) {
      if (err instanceof DomainError) throw conversationError(err);
      throw err;
    }
    if (created.batchId) {
      // Canvas: 202, an empty array, and the batch to poll under /conversations/batches.
      res.status(202).header('X-Conversation-Batch-Id', created.batchId);
      return [];
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
      // No participant avatars or contexts here (Canvas's batch answer), but the audience's.
      const batchContexts = await this.audienceContexts.forViews(views);
      return views.map((v) =>
        conversationJson(v, {
          visible: visible(v),
          baseUrl: base,
          audienceContexts: batchContexts.get(v.id),
        }),
      );
    }
    const messages = await this.conversations.messages([...created.messageIds.values()]);
    return Promise.all(
      views.map((v) => this.render.detail(v, { visible: visible(v), baseUrl: base, messages })),
    );
  }
}

function cmp(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  return a < b ? -1 : 1;
}
