import { Controller, Get, Inject, Query, Req, Res } from '@nestjs/common';
import {
  UserQueries,
  listCommMessages,
  type SchemalessDb,
  type UserRecord,
} from '@missive/read-models';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { pathOf } from '../http/requestPath';
import { requestOrigin } from '../http/requestOrigin';
import { CurrentUser } from '../auth/currentUser';
import { CanvasError } from '../http/canvasError';
import { canvasLinkHeader, clampPerPage, parsePage } from '../http/canvasPagination';
import { canvasValidationPipe, modelErrors } from '../http/canvasValidationPipe';
import { READ_DB } from '../infrastructure/tokens';
import { commMessageJson } from './commMessageJson';
import { commMessageWindow } from './commMessageWindow';
import { ListCommMessagesDto } from './listCommMessagesDto';
import { isCanvasId } from '../http/canvasId';

/**
 * Canvas's CommMessages API: the messages (emails, SMS, push) sent to a user, for site admins.
 * Canvas's `admins_can_view_notifications` account setting has no counterpart here: there is
 * one account, and only site admins read other people's mail.
 */
@Controller('api/v1/comm_messages')
export class CommMessagesController {
  constructor(
    private readonly users: UserQueries,
    @Inject(READ_DB) private readonly db: SchemalessDb,
  ) {}

  @Get()
  async list(
    @CurrentUser() caller: UserRecord,
    @Query(canvasValidationPipe(modelErrors)) query: ListCommMessagesDto,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) res: FastifyReply,
  ) {
    // Canvas finds the user before it checks the caller's rights: 404 comes first.
    const user = await this.userOf(caller, query.user_id);
    if (!caller.siteAdmin) throw CanvasError.unauthorized();
    const page = parsePage(query.page);
    if (page === undefined) throw CanvasError.notFound();
    const perPage = clampPerPage(query.per_page);
    const { startTime, endTime } = commMessageWindow(query, new Date());
    const result = await listCommMessages(this.db, {
      userId: user.id,
      startTime,
      endTime,
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
    return result.items.map(commMessageJson);
  }

  /** `self` or a numeric id; missing, malformed and unknown users are all Canvas's 404. */
  private async userOf(caller: UserRecord, raw: unknown): Promise<UserRecord> {
    const id = raw === 'self' ? caller.id : raw;
    if (!isCanvasId(id)) throw CanvasError.notFound();
    const user = id === caller.id ? caller : await this.users.findById(id);
    if (!user) throw CanvasError.notFound();
    return user;
  }
}
