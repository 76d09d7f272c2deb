import {
  Body,
  Controller,
  Get,
  HttpCode,
  Inject,
  Param,
  Post,
  Query,
  Req,
  Res,
  UseFilters,
  UseGuards,
} from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { derivedUlid, parseTagsFilter, ULID_PATTERN } from '@missive/domain';
import { CommsQueries, type CommsMessageFilter, type KeysetPage } from '@missive/read-models';
import type { FastifyReply } from 'fastify';
import { Public } from '../auth/public';
import type { AppConfig } from '../config/appConfig';
import { idempotencyClaimOf, type IdempotencyClaim } from '../idempotency/idempotencyHooks';
import { APP_CONFIG } from '../infrastructure/tokens';
import { CommsAuthGuard, type CommsRequest } from './commsAuthGuard';
import { commsBaseUrl } from './commsBaseUrl';
import { CommsError } from './commsError';
import { CommsExceptionFilter } from './commsExceptionFilter';
import { messageJson, messageUri, operationJson, operationUri } from './commsJson';
import { decodePageToken, encodePageToken, sameFilters } from './commsPageToken';
import { MESSAGE_ID, MESSAGE_PREFIX, OPERATION_ID, OPERATION_PREFIX } from './commsPatterns';
import type { CommsSettings } from './commsSettings';
import { CommsBodyPipe, CommsQueryPipe, validateComms } from './commsValidation';
import {
  ListMessagesDto,
  ListOperationsDto,
  MESSAGE_FILTERS,
  OPERATION_FILTERS,
  type CommsPageDto,
} from './listMessagesDto';
import { SendMessagesCommand } from './sendMessagesHandler';
import { SendMessagesDto } from './sendMessagesDto';
import { planSend, sendError } from './sendPlan';

const DEFAULT_PAGE_SIZE = 50;

/**
 * With an Idempotency-Key the operation's id derives from the key and the first attempt's
 * time: a retry that takes over from an attempt that died mid-request finds that attempt's
 * operation (and, through it, its messages) instead of sending everything again.
 */
function operationIdFor(claim: IdempotencyClaim): string {
  return derivedUlid(`${claim.scope}\u0000${claim.key}`, 'comms-operation', new Date(claim.since));
}

/** The id part of `comms_message_<ulid>` / `comms_operation_<ulid>`, or undefined. */
function idOf(text: string, pattern: RegExp, prefix: string): string | undefined {
  if (!pattern.test(text)) return undefined;
  const id = text.slice(prefix.length);
  return ULID_PATTERN.test(id) ? id : undefined;
}

/**
 * The Comms Messages API (`/v1/Messages`). Opts out of the Canvas guard (`@Public`) for its own
 * Basic auth and rate limit, and answers errors in the Comms shape.
 */
@Public()
@UseGuards(CommsAuthGuard)
@UseFilters(new CommsExceptionFilter(sendError))
@Controller('v1/Messages')
export class MessagesController {
  private readonly settings: CommsSettings;

  constructor(
    private readonly commands: CommandBus,
    private readonly queries: CommsQueries,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.settings = config.comms;
  }

  @Post()
  @HttpCode(202)
  async send(
    @Body(CommsBodyPipe) body: SendMessagesDto,
    @Req() req: CommsRequest,
    @Res({ passthrough: true }) res: FastifyReply,
  ) {
    const now = new Date();
    const plan = planSend(body, this.settings, now);
    const claim = idempotencyClaimOf(req);
    const operationId = await this.commands.execute<SendMessagesCommand, string>(
      new SendMessagesCommand(plan, now, claim && operationIdFor(claim), {
        actorUserId: null,
        correlationId: req.correlationId,
        causationId: 'http:POST /v1/Messages',
      }),
    );
    const location = operationUri(commsBaseUrl(this.settings, req), operationId);
    res.header('Location', location);
    return { operationId: `${OPERATION_PREFIX}${operationId}`, operationLocation: location };
  }

  @Get()
  async list(@Query(CommsQueryPipe) query: ListMessagesDto, @Req() req: CommsRequest) {
    const { cursor, filters, dto } = this.pageOf(query, ListMessagesDto, MESSAGE_FILTERS);
    const filter: CommsMessageFilter = {
      operationId: dto.operationId?.slice(OPERATION_PREFIX.length),
      sessionId: dto.sessionId,
      profileId: dto.profile,
      channel: dto.channel,
      status: dto.status,
      tags: dto.tags === undefined ? undefined : parseTagsFilter(dto.tags)!,
      ...range(dto),
    };
    const limit = query.pageSize ?? DEFAULT_PAGE_SIZE;
    const page = await this.queries.listMessages(filter, { after: cursor, limit }, new Date());
    const base = commsBaseUrl(this.settings, req);
    return {
      messages: page.items.map((m) => messageJson(m, base, false)),
      pagination: pagination(page, cursor, filters),
    };
  }

  /** Declared before `:messageId`, which would otherwise take `Operations`. */
  @Get('Operations')
  async listOperations(@Query(CommsQueryPipe) query: ListOperationsDto) {
    const { cursor, filters, dto } = this.pageOf(query, ListOperationsDto, OPERATION_FILTERS);
    const limit = query.pageSize ?? DEFAULT_PAGE_SIZE;
    const page = await this.queries.listOperations(
      { status: dto.status, ...range(dto) },
      { after: cursor, limit },
      new Date(),
    );
    return {
      operations: page.items.map(operationJson),
      pagination: pagination(page, cursor, filters),
    };
  }

  @Get('Operations/:operationId')
  async fetchOperation(@Param('operationId') operationIdParam: string) {
    const id = idOf(operationIdParam, OPERATION_ID, OPERATION_PREFIX);
    const operation = id && (await this.queries.findOperation(id, new Date()));
    if (!operation) throw CommsError.notFound();
    return operationJson(operation);
  }

  /**
   * A message by an identifier another system holds: the provider's SM/MM SID (what the
   * transports report), or the Comms id itself. 301 to the message, as the spec answers.
   */
  @Get('Seek/:identifier')
  async seek(
    @Param('identifier') identifier: string,
    @Req() req: CommsRequest,
    @Res() res: FastifyReply,
  ) {
    const now = new Date();
    const own = idOf(identifier, MESSAGE_ID, MESSAGE_PREFIX);
    const id = own
      ? (await this.queries.findMessage(own, now))?.id
      : await this.queries.findMessageIdByProviderId(identifier, now);
    if (!id) throw CommsError.notFound();
    res
      .status(301)
      .header('Location', messageUri(commsBaseUrl(this.settings, req), id))
      .send();
  }

  @Get(':messageId')
  async fetch(@Param('messageId') messageIdParam: string, @Req() req: CommsRequest) {
    const id = idOf(messageIdParam, MESSAGE_ID, MESSAGE_PREFIX);
    const message = id && (await this.queries.findMessage(id, new Date()));
    if (!message) throw CommsError.notFound();
    return messageJson(message, commsBaseUrl(this.settings, req), true);
  }

  /**
   * The cursor and the filters in force: a token carries the filters it was issued for, so
   * the client may repeat them or leave them out, but not change them.
   */
  private pageOf<T extends CommsPageDto>(
    query: T,
    type: new () => T,
    filterNames: readonly string[],
  ): { cursor: string | null; filters: Record<string, string>; dto: T } {
    const given: Record<string, string> = {};
    for (const name of filterNames) {
      const value = (query as unknown as Record<string, unknown>)[name];
      if (typeof value === 'string') given[name] = value;
    }
    if (query.pageToken === undefined) return { cursor: null, filters: given, dto: query };
    const token = decodePageToken(query.pageToken, filterNames);
    if (!token) throw CommsError.badRequest('pageToken is not a valid page token.', '$.pageToken');
    if (Object.keys(given).length > 0 && !sameFilters(given, token.filters)) {
      throw CommsError.badRequest(
        'pageToken was issued for other filters: repeat them unchanged or leave them out.',
        '$.pageToken',
      );
    }
    const dto = validateComms(type, { ...token.filters }, { forbidUnknown: true });
    return { cursor: token.after, filters: token.filters, dto };
  }
}

function range(dto: CommsPageDto): Pick<CommsMessageFilter, 'createdAfter' | 'createdBefore'> {
  return {
    createdAfter: dto.startDate === undefined ? undefined : new Date(dto.startDate),
    createdBefore: dto.endDate === undefined ? undefined : new Date(dto.endDate),
  };
}

function pagination(
  page: KeysetPage<{ id: string }>,
  cursor: string | null,
  filters: Record<string, string>,
) {
  const last = page.items[page.items.length - 1];
  return {
    next: page.hasMore && last ? encodePageToken({ after: last.id, filters }) : null,
    self: encodePageToken({ after: cursor, filters }),
  };
}
