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
import {
  ChannelQueries,
  UserQueries,
  type ChannelRecord,
  type UserRecord,
} from '@missive/read-models';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { pathOf } from '../http/requestPath';
import { requestOrigin } from '../http/requestOrigin';
import { CurrentUser, RequestContext } from '../auth/currentUser';
import type { CommandContext } from '@missive/command-handling';
import { CanvasError } from '../http/canvasError';
import { canvasLinkHeader, clampPerPage, parsePage } from '../http/canvasPagination';
import { canvasValidationPipe, modelErrors } from '../http/canvasValidationPipe';
import { channelError } from './channelError';
import { channelJson } from './channelJson';
import { ConfirmChannelCommand } from './confirmChannelHandler';
import { ConfirmChannelDto } from './confirmChannelDto';
import { CreateChannelCommand, type CreatedChannel } from './createChannelHandler';
import { CreateChannelDto } from './createChannelDto';
import { DeletePushTokenDto } from './deletePushTokenDto';
import { ListChannelsDto } from './listChannelsDto';
import { RemoveChannelCommand } from './removeChannelHandler';
import { isCanvasId } from '../http/canvasId';
import { RequestIds, type IdSource } from '../idempotency/requestIds';
import { CanvasExceptionFilter } from '../http/canvasExceptionFilter';

/**
 * Canvas's Communication Channels API. Only the user themself and site admins may list or
 * change a user's channels; anyone else gets Canvas's 401 and nothing is written.
 */
@Controller('api/v1/users')
@UseFilters(new CanvasExceptionFilter(channelError))
export class ChannelsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly users: UserQueries,
    private readonly channels: ChannelQueries,
  ) {}

  @Get(':user_id/communication_channels')
  async list(
    @CurrentUser() caller: UserRecord,
    @Param('user_id') userIdParam: string,
    @Query(canvasValidationPipe(modelErrors)) query: ListChannelsDto,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) res: FastifyReply,
  ) {
    const user = await this.ownedUser(caller, userIdParam);
    const page = parsePage(query.page);
    if (page === undefined) throw CanvasError.notFound();
    const perPage = clampPerPage(query.per_page);
    const result = await this.channels.listForUser(user.id, {
      limit: perPage,
      offset: (page - 1) * perPage,
    });
    res.header(
      'Link',
      canvasLinkHeader(
        `${requestOrigin(req)}${pathOf(req)}`,
        req.query as Record<string, unknown>,
        { page, perPage },
        result.total,
      ),
    );
    return result.items.map((c) => channelJson(c, caller.siteAdmin));
  }

  @Post(':user_id/communication_channels')
  @HttpCode(200)
  async create(
    @CurrentUser() caller: UserRecord,
    @RequestContext() ctx: CommandContext,
    @Param('user_id') userIdParam: string,
    @Body(canvasValidationPipe(modelErrors)) body: CreateChannelDto,
    @RequestIds() ids: IdSource,
  ) {
    const user = await this.ownedUser(caller, userIdParam);
    const params = body.communication_channel ?? {};
    // Canvas ignores skip_confirmation from anyone but an admin, silently.
    const skip = body.skip_confirmation ?? params.skip_confirmation ?? false;
    const { channelId } = await this.commands.execute<CreateChannelCommand, CreatedChannel>(
      new CreateChannelCommand(
        user.id,
        {
          type: params.type,
          address: params.address,
          token: params.token,
          skipConfirmation: caller.siteAdmin && skip,
        },
        ctx,
        ids,
      ),
    );
    return channelJson(await this.found(channelId), caller.siteAdmin);
  }

  /** Declared before `:id` so that `push` is not taken for a channel id. */
  @Delete('self/communication_channels/push')
  async deletePushToken(
    @CurrentUser() caller: UserRecord,
    @RequestContext() ctx: CommandContext,
    @Body(canvasValidationPipe(modelErrors)) body: DeletePushTokenDto,
    @Query(canvasValidationPipe(modelErrors)) query: DeletePushTokenDto,
  ) {
    const token = (body.push_token ?? query.push_token ?? '').trim();
    if (!token) throw CanvasError.missing('push_token');
    const channel = await this.channels.findByAddress(caller.id, 'push', token);
    // Canvas answers success whether or not the token was registered.
    if (channel && channel.workflowState !== 'retired') {
      await this.commands.execute(new RemoveChannelCommand(channel.id, ctx));
    }
    return { success: true };
  }

  @Delete(':user_id/communication_channels/:id')
  async deleteById(
    @CurrentUser() caller: UserRecord,
    @RequestContext() ctx: CommandContext,
    @Param('user_id') userIdParam: string,
    @Param('id') id: string,
  ) {
    const user = await this.ownedUser(caller, userIdParam);
    const channel = isCanvasId(id) ? await this.channels.findById(id) : undefined;
    if (!channel || channel.userId !== user.id) throw CanvasError.notFound();
    return this.remove(channel, ctx, caller);
  }

  @Delete(':user_id/communication_channels/:type/:address')
  async deleteByAddress(
    @CurrentUser() caller: UserRecord,
    @RequestContext() ctx: CommandContext,
    @Param('user_id') userIdParam: string,
    @Param('type') type: string,
    @Param('address') address: string,
  ) {
    const user = await this.ownedUser(caller, userIdParam);
    const channel = await this.channels.findByAddress(user.id, type, address);
    if (!channel) throw CanvasError.notFound();
    return this.remove(channel, ctx, caller);
  }

  /**
   * Missive extension: confirms a channel with the code it was sent (Canvas confirms through
   * a web page instead). A wrong code is a 400 on `code` and changes nothing.
   */
  @Post(':user_id/communication_channels/:id/confirm')
  @HttpCode(200)
  async confirm(
    @CurrentUser() caller: UserRecord,
    @RequestContext() ctx: CommandContext,
    @Param('user_id') userIdParam: string,
    @Param('id') id: string,
    @Body(canvasValidationPipe(modelErrors)) body: ConfirmChannelDto,
  ) {
    const user = await this.ownedUser(caller, userIdParam);
    const channel = isCanvasId(id) ? await this.channels.findById(id) : undefined;
    if (!channel || channel.userId !== user.id) throw CanvasError.notFound();
    const code = body.code?.trim();
    if (!code) throw CanvasError.missing('code');
    await this.commands.execute(new ConfirmChannelCommand(channel.id, code, ctx));
    return channelJson(await this.found(channel.id), caller.siteAdmin);
  }

  private async remove(channel: ChannelRecord, ctx: CommandContext, caller: UserRecord) {
    await this.commands.execute(new RemoveChannelCommand(channel.id, ctx));
    return channelJson(await this.found(channel.id), caller.siteAdmin);
  }

  private async found(channelId: string): Promise<ChannelRecord> {
    const channel = await this.channels.findById(channelId);
    if (!channel) throw new Error(`channel ${channelId} missing after its checkpoint`);
    return channel;
  }

  /** `self` or an id; unknown users are 404, other people's channels 401 unless admin. */
  private async ownedUser(caller: UserRecord, idParam: string): Promise<UserRecord> {
    const id = idParam === 'self' ? caller.id : idParam;
    if (!isCanvasId(id)) throw CanvasError.notFound();
    const user = id === caller.id ? caller : await this.users.findById(id);
    if (!user) throw CanvasError.notFound();
    if (user.id !== caller.id && !caller.siteAdmin) throw CanvasError.unauthorized();
    return user;
  }
}
