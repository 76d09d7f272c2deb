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
  UseFilters,
} from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import type {
  ConversationBatchRecord,
  ConversationView,
  Page,
  ProgressRecord,
  UserRecord,
} from '@missive/read-models';
import type { CommandContext } from '@missive/command-handling';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ShowConversationAsOfQuery } from '../audit/conversationAsOfShow';
import type { AuthenticatedRequest } from '../auth/authenticatedRequest';
import { CurrentUser, RequestContext } from '../auth/currentUser';
import { CanvasError } from '../http/canvasError';
import { CanvasExceptionFilter } from '../http/canvasExceptionFilter';
import { CanvasIdPipe } from '../http/canvasId';
import { canvasLinkHeader, clampPerPage, parsePage } from '../http/canvasPagination';
import {
  canvasValidationPipe,
  conversationErrors,
  modelErrors,
} from '../http/canvasValidationPipe';
import { PlainQueryPipe } from '../http/plainQueryPipe';
import { requestOrigin } from '../http/requestOrigin';
import { pathOf } from '../http/requestPath';
import { RequestIds, type IdSource } from '../idempotency/requestIds';
import { progressJson } from '../progress/progressJson';
import { AddMessageCommand, type Author } from './addMessageHandler';
import { AddRecipientsCommand } from './addRecipientsHandler';
import { BatchUpdateConversationsCommand } from './batchUpdateHandler';
import { BatchUpdateDto, batchUpdateOf } from './batchUpdateDto';
import { conversationBatchJson } from './conversationBatchJson';
import { conversationError, refuseAttachments } from './conversationErrors';
import { conversationJson } from './conversationJson';
import type { ConversationDetail } from './conversationReader';
import { filterFromParams, visibilityOf } from './conversationVisibility';
import { CreateConversationCommand, type CreatedConversations } from './createConversationHandler';
import { CreateConversationDto, toBoolean } from './createConversationDto';
import { CreatedConversationsQuery } from './createdConversationsHandler';
import { DeleteConversationCommand } from './deleteConversationHandler';
import { ListBatchesQuery } from './listBatchesHandler';
import { ListConversationsDto } from './listConversationsDto';
import {
  ListConversationsQuery,
  scopeOf,
  type ConversationsPage,
} from './listConversationsHandler';
import { MarkAllAsReadCommand } from './markAllAsReadHandler';
import { RemoveMessagesCommand } from './removeMessagesHandler';
import { ShowConversationCommand } from './showConversationHandler';
import { UnreadCountQuery } from './unreadCountHandler';
import {
  AddMessageDto,
  AddRecipientsDto,
  RemoveMessagesDto,
  UpdateConversationDto,
} from './updateConversationDto';
import { UpdateConversationCommand } from './updateConversationHandler';

/** The hottest endpoint: its usual query (page, per_page, scope) skips the validators. */
const listQueryPipe = new PlainQueryPipe(
  ListConversationsDto,
  ['scope', 'page', 'per_page', 'filter_mode'],
  canvasValidationPipe(conversationErrors),
);

function mediaCommentOf(body: { media_comment_id?: string; media_comment_type?: string }) {
  return body.media_comment_id
    ? { mediaId: body.media_comment_id, mediaType: body.media_comment_type ?? 'video' }
    : null;
}

function authorOf(user: UserRecord): Author {
  return { id: user.id, siteAdmin: user.siteAdmin, shortName: user.shortName || user.name };
}

type Visible = (view: ConversationView) => boolean;

/**
 * What decides `visible` outside the list: the request's own scope and filters. Read before
 * anything is sent, so that a bad `filter_mode` is refused with nothing written.
 */
function visibleFor(req: FastifyRequest): Visible {
  return visibilityOf(req.query, req.body);
}

/**
 * A conversation answer outside the index: participants with their avatars unless told
 * otherwise (the sync bulk create leaves them out, as Canvas's batch answer does).
 */
function detailJson(
  { view, ...parts }: ConversationDetail,
  visible: Visible,
  req: FastifyRequest,
  extras: { detailed?: boolean; avatars?: boolean } = {},
) {
  return conversationJson(view, {
    ...parts,
    visible: visible(view),
    baseUrl: requestOrigin(req),
    detailed: extras.detailed,
    avatars: extras.avatars ?? true,
  });
}

/** Canvas's Link header for a page of `total` items. */
function linkPage(
  req: FastifyRequest,
  res: FastifyReply,
  page: number,
  perPage: number,
  total: number,
) {
  const url = `${requestOrigin(req)}${pathOf(req)}`;
  const query = req.query as Record<string, unknown>;
  res.header('Link', canvasLinkHeader(url, query, { page, perPage }, total));
}

/**
 * Conversations: each route parses its input, sends one use case and renders the answer. A
 * past view of show (`as_of`) is the audit's.
 */
@Controller('api/v1/conversations')
@UseFilters(new CanvasExceptionFilter(conversationError))
export class ConversationsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  /** Batch update: runs in the background, answered with the Progress to poll. */
  @Put()
  async batchUpdate(
    @CurrentUser() user: UserRecord,
    @RequestContext() ctx: CommandContext,
    @Body(canvasValidationPipe(conversationErrors)) body: BatchUpdateDto,
    @Req() req: FastifyRequest,
  ) {
    const { conversationIds, event } = batchUpdateOf(body);
    const progress = await this.commands.execute<BatchUpdateConversationsCommand, ProgressRecord>(
      new BatchUpdateConversationsCommand(user.id, conversationIds, event, ctx),
    );
    return progressJson(progress, requestOrigin(req));
  }

  /** The user's batches still sending, paged with the Link header. */
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
    const result = await this.queries.execute<ListBatchesQuery, Page<ConversationBatchRecord>>(
      new ListBatchesQuery(user.id, page, perPage),
    );
    linkPage(req, res, page, perPage, result.total);
    return result.items.map(conversationBatchJson);
  }

  @Get('unread_count')
  async unreadCount(@CurrentUser() user: UserRecord) {
    const count = await this.queries.execute<UnreadCountQuery, number>(
      new UnreadCountQuery(user.id),
    );
    // A string, as Canvas sends it.
    return { unread_count: String(count) };
  }

  @Post('mark_all_as_read')
  @HttpCode(200)
  async markAllAsRead(@CurrentUser() user: UserRecord, @RequestContext() ctx: CommandContext) {
    await this.commands.execute(new MarkAllAsReadCommand(user.id, ctx));
    return {};
  }

  @Get(':id')
  async show(
    @CurrentUser() user: UserRecord,
    @RequestContext() ctx: CommandContext,
    // No id pipe: `as_of` checks the caller before the id; the reader refuses a bad id as 404.
    @Param('id') id: string,
    @Query() query: Record<string, unknown>,
    @Req() req: FastifyRequest,
  ) {
    // The audit's past view (site admins): folded from the log, see audit/.
    const visible = visibleFor(req);
    const participantContexts =
      query['include_participant_contexts'] === undefined ||
      toBoolean({ value: query['include_participant_contexts'] }) !== false;
    if (query['as_of'] !== undefined) {
      const caller = (req as AuthenticatedRequest).realUser ?? user;
      return this.queries.execute(
        new ShowConversationAsOfQuery(
          caller.siteAdmin,
          user.id,
          id,
          query['as_of'],
          visible,
          requestOrigin(req),
          participantContexts,
        ),
      );
    }
    // Showing marks read unless auto_mark_as_read is falsy (API default: true).
    const autoMark =
      query['auto_mark_as_read'] === undefined ||
      toBoolean({ value: query['auto_mark_as_read'] }) === true;
    const detail = await this.commands.execute<ShowConversationCommand, ConversationDetail>(
      new ShowConversationCommand(user.id, id, autoMark, ctx, participantContexts),
    );
    return detailJson(detail, visible, req, { detailed: true });
  }

  @Put(':id')
  async update(
    @CurrentUser() user: UserRecord,
    @RequestContext() ctx: CommandContext,
    @Param('id', CanvasIdPipe) id: string,
    @Body(canvasValidationPipe(modelErrors)) body: UpdateConversationDto,
    @Req() req: FastifyRequest,
  ) {
    const visible = visibleFor(req);
    if (!body.conversation) throw CanvasError.missing('conversation');
    const changes = {
      workflowState: body.conversation.workflow_state,
      starred: body.conversation.starred,
      subscribed: body.conversation.subscribed,
    };
    const detail = await this.commands.execute<UpdateConversationCommand, ConversationDetail>(
      new UpdateConversationCommand(user.id, id, changes, ctx),
    );
    return detailJson(detail, visible, req);
  }

  @Delete(':id')
  async remove(
    @CurrentUser() user: UserRecord,
    @RequestContext() ctx: CommandContext,
    @Param('id', CanvasIdPipe) id: string,
    @Req() req: FastifyRequest,
  ) {
    const detail = await this.commands.execute<DeleteConversationCommand, ConversationDetail>(
      new DeleteConversationCommand(user.id, id, ctx),
    );
    return detailJson(detail, () => false, req);
  }

  @Post(':id/add_message')
  @HttpCode(200)
  async addMessage(
    @CurrentUser() user: UserRecord,
    @RequestContext() ctx: CommandContext,
    @RequestIds() ids: IdSource,
    @Param('id', CanvasIdPipe) id: string,
    @Body(canvasValidationPipe(conversationErrors)) body: AddMessageDto,
    @Req() req: FastifyRequest,
  ) {
    const visible = visibleFor(req);
    const reply = {
      body: body.body ?? '',
      recipients: body.recipients,
      attachmentIds: body.attachment_ids,
      mediaComment: mediaCommentOf(body),
      included: body.included_messages ?? [],
    };
    const detail = await this.commands.execute<AddMessageCommand, ConversationDetail>(
      new AddMessageCommand(authorOf(user), id, reply, ctx, ids),
    );
    return detailJson(detail, visible, req);
  }

  @Post(':id/add_recipients')
  @HttpCode(200)
  async addRecipients(
    @CurrentUser() user: UserRecord,
    @RequestContext() ctx: CommandContext,
    @RequestIds() ids: IdSource,
    @Param('id', CanvasIdPipe) id: string,
    @Body(canvasValidationPipe(conversationErrors)) body: AddRecipientsDto,
    @Req() req: FastifyRequest,
  ) {
    const visible = visibleFor(req);
    const detail = await this.commands.execute<AddRecipientsCommand, ConversationDetail>(
      new AddRecipientsCommand(authorOf(user), id, body.recipients ?? [], ctx, ids),
    );
    return detailJson(detail, visible, req);
  }

  @Post(':id/remove_messages')
  @HttpCode(200)
  async removeMessages(
    @CurrentUser() user: UserRecord,
    @RequestContext() ctx: CommandContext,
    @Param('id', CanvasIdPipe) id: string,
    @Body(canvasValidationPipe(conversationErrors)) body: RemoveMessagesDto,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) res: FastifyReply,
  ) {
    const visible = visibleFor(req);
    const detail = await this.commands.execute<RemoveMessagesCommand, ConversationDetail | null>(
      new RemoveMessagesCommand(user.id, id, body.remove ?? [], ctx),
    );
    // Canvas renders nothing without `remove`: an empty 204.
    if (!detail) {
      res.status(204);
      return undefined;
    }
    return detailJson(detail, visible, req);
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
    const withAllIds = query.include_all_conversation_ids ?? false;
    const result = await this.queries.execute<ListConversationsQuery, ConversationsPage>(
      new ListConversationsQuery(user.id, scopeOf(query.scope), page, perPage, filter, withAllIds),
    );
    linkPage(req, res, page, perPage, result.total);
    const avatars = query.include?.includes('participant_avatars') ?? false;
    const base = requestOrigin(req);
    const conversations = result.items.map((view) =>
      conversationJson(view, {
        visible: true,
        baseUrl: base,
        avatars,
        audienceContexts: result.audienceContexts.get(view.id),
        contextName: result.contextNames.get(view.contextCode ?? ''),
        listContextName: true,
      }),
    );
    if (!result.allIds) return conversations;
    return { conversations, conversation_ids: result.allIds.map(Number) };
  }

  @Post()
  @HttpCode(201)
  async create(
    @CurrentUser() user: UserRecord,
    @RequestContext() ctx: CommandContext,
    @RequestIds() ids: IdSource,
    @Body(canvasValidationPipe(conversationErrors)) body: CreateConversationDto,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) res: FastifyReply,
  ) {
    const visible = visibleFor(req);
    refuseAttachments(body.attachment_ids);
    const params = {
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
      ids,
    };
    const created = await this.commands.execute<CreateConversationCommand, CreatedConversations>(
      new CreateConversationCommand(params, ctx),
    );
    if (created.batchId) {
      // Canvas: 202, an empty array, and the batch to poll under /conversations/batches.
      res.status(202).header('X-Conversation-Batch-Id', created.batchId);
      return [];
    }
    const details = await this.queries.execute<CreatedConversationsQuery, ConversationDetail[]>(
      new CreatedConversationsQuery(user.id, created),
    );
    return details.map((detail) => detailJson(detail, visible, req, { avatars: !created.batch }));
  }
}
