import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Post,
  Query,
  Req,
  Res,
  UseFilters,
} from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { DomainError } from '@missive/domain';
import { ProgressQueries, UserQueries, type UserRecord } from '@missive/read-models';
import { progressJson } from '../progress/progressJson';
import { EraseUserCommand } from './eraseUserHandler';
import { CurrentUser, RequestContext } from '../auth/currentUser';
import type { CommandContext } from '@missive/command-handling';
import { CanvasError } from '../http/canvasError';
import { CanvasExceptionFilter } from '../http/canvasExceptionFilter';
import { canvasLinkHeader, clampPerPage, parsePage } from '../http/canvasPagination';
import { canvasValidationPipe, modelErrors } from '../http/canvasValidationPipe';
import { CreateTokenDto } from './createTokenDto';
import { CreateUserDto } from './createUserDto';
import { CreateUserCommand } from './createUserHandler';
import { IssueTokenCommand, type IssuedToken } from './issueTokenHandler';
import { RevokeTokenCommand } from './revokeTokenHandler';
import { channelError } from '../channels/channelError';
import { tokenJson } from './tokenJson';
import { userJson } from './userJson';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { pathOf } from '../http/requestPath';
import { requestOrigin } from '../http/requestOrigin';
import { isCanvasId } from '../http/canvasId';
import { RequestIds, type IdSource } from '../idempotency/requestIds';

const PSEUDONYM_ATTRIBUTES = new Set(['unique_id']);

/** A channel's attributes: refusals of the first channel keep the Channels API's wording. */
const CHANNEL_ATTRIBUTES = new Set(['address', 'token', 'path', 'email', 'type']);

/** Domain refusals of user commands in ActiveModel's nested error shape. */
function userError(err: DomainError): CanvasError {
  if (err.kind === 'not_found') return CanvasError.notFound();
  if (CHANNEL_ATTRIBUTES.has(err.attribute)) return channelError(err);
  const object = PSEUDONYM_ATTRIBUTES.has(err.attribute) ? 'pseudonym' : 'user';
  return CanvasError.model({
    [object]: {
      [err.attribute]: [{ attribute: err.attribute, type: err.type, message: err.message }],
    },
  });
}

@Controller('api/v1')
@UseFilters(new CanvasExceptionFilter(userError))
export class UsersController {
  constructor(
    private readonly commands: CommandBus,
    private readonly users: UserQueries,
    private readonly progress: ProgressQueries,
  ) {}

  @Post('accounts/self/users')
  @HttpCode(200)
  async create(
    @CurrentUser() caller: UserRecord,
    @RequestContext() ctx: CommandContext,
    @Body(canvasValidationPipe(modelErrors)) body: CreateUserDto,
    @RequestIds() ids: IdSource,
  ) {
    if (!caller.siteAdmin) throw CanvasError.unauthorized();
    const channel = body.communication_channel;
    const user = await this.commands.execute<CreateUserCommand, UserRecord>(
      new CreateUserCommand(
        {
          name: body.user?.name,
          shortName: body.user?.short_name,
          loginId: body.pseudonym?.unique_id ?? '',
          siteAdmin: false,
        },
        ctx,
        channel?.address === undefined
          ? undefined
          : {
              type: channel.type,
              address: channel.address,
              // The caller is a site admin here, so skip_confirmation is honoured.
              skipConfirmation: channel.skip_confirmation ?? false,
            },
        ids,
      ),
    );
    return userJson(user);
  }

  @Post('users/:user_id/tokens')
  @HttpCode(200)
  async createToken(
    @CurrentUser() caller: UserRecord,
    @RequestContext() ctx: CommandContext,
    @Param('user_id') userIdParam: string,
    @Body(canvasValidationPipe(modelErrors)) body: CreateTokenDto,
    @RequestIds() ids: IdSource,
  ) {
    const target = await this.visibleUser(caller, userIdParam);
    const token = await this.commands.execute<IssueTokenCommand, IssuedToken>(
      new IssueTokenCommand(
        target.id,
        { purpose: body.token?.purpose, expiresAt: body.token?.expires_at },
        ctx,
        ids,
      ),
    );
    return tokenJson({ ...token, hint: token.visibleToken.slice(-4) }, token.visibleToken);
  }

  @Get('users/:user_id/tokens')
  async listTokens(
    @CurrentUser() caller: UserRecord,
    @Param('user_id') userIdParam: string,
    @Query() query: Record<string, unknown>,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) res: FastifyReply,
  ) {
    const target = await this.visibleUser(caller, userIdParam);
    const page = parsePage(query['page']);
    if (page === undefined) throw CanvasError.notFound();
    const perPage = clampPerPage(query['per_page']);
    const result = await this.users.tokens(target.id, {
      limit: perPage,
      offset: (page - 1) * perPage,
    });
    res.header(
      'Link',
      canvasLinkHeader(
        `${requestOrigin(req)}${pathOf(req)}`,
        query,
        { page, perPage },
        result.total,
      ),
    );
    return result.items.map((t) => tokenJson(t));
  }

  @Get('users/:user_id/tokens/:id')
  async showToken(
    @CurrentUser() caller: UserRecord,
    @Param('user_id') userIdParam: string,
    @Param('id') id: string,
  ) {
    const target = await this.visibleUser(caller, userIdParam);
    const token = await this.users.token(target.id, id);
    if (!token) throw CanvasError.notFound();
    return tokenJson(token);
  }

  @Delete('users/:user_id/tokens/:id')
  async revokeToken(
    @CurrentUser() caller: UserRecord,
    @RequestContext() ctx: CommandContext,
    @Param('user_id') userIdParam: string,
    @Param('id') id: string,
  ) {
    const target = await this.visibleUser(caller, userIdParam);
    const token = await this.users.token(target.id, id);
    if (!token) throw CanvasError.notFound();
    await this.commands.execute(new RevokeTokenCommand(target.id, id, ctx));
    return tokenJson(token);
  }

  /**
   * Missive's extension: erases the user's personal data (crypto-shredding; see
   * docs/erasure.md) and answers the finished job as a Canvas Progress.
   */
  @Post('users/:user_id/erasure')
  @HttpCode(200)
  async erase(
    @CurrentUser() caller: UserRecord,
    @RequestContext() ctx: CommandContext,
    @Param('user_id') userIdParam: string,
    @Req() req: FastifyRequest,
  ) {
    if (!caller.siteAdmin) throw CanvasError.unauthorized();
    const target = await this.visibleUser(caller, userIdParam);
    const progressId = await this.commands.execute<EraseUserCommand, string>(
      new EraseUserCommand(target.id, ctx),
    );
    const progress = await this.progress.find(progressId);
    if (!progress) throw CanvasError.generic(503, 'service_unavailable');
    return progressJson(progress, requestOrigin(req));
  }

  @Get('users/:id')
  async show(@CurrentUser() caller: UserRecord, @Param('id') idParam: string) {
    return userJson(await this.visibleUser(caller, idParam));
  }

  /** `self` or an id; only the user themself and site admins may see or act on a user. */
  private async visibleUser(caller: UserRecord, idParam: string): Promise<UserRecord> {
    const id = idParam === 'self' ? caller.id : idParam;
    if (!isCanvasId(id)) throw CanvasError.notFound();
    const user = id === caller.id ? caller : await this.users.findById(id);
    if (!user) throw CanvasError.notFound();
    if (user.id !== caller.id && !caller.siteAdmin) throw CanvasError.unauthorized();
    return user;
  }
}
