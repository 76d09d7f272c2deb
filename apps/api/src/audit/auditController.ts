import { Controller, Get, Param, Query, Req, Res } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { decodePosition, encodePosition, type Position } from '@missive/event-store';
import { UserQueries, type UserRecord } from '@missive/read-models';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CurrentUser } from '../auth/currentUser';
import { bookmarkLinkHeader } from '../search/bookmarkLinkHeader';
import { CanvasError } from '../http/canvasError';
import { clampPerPage } from '../http/canvasPagination';
import { requestOrigin } from '../http/requestOrigin';
import { pathOf } from '../http/requestPath';
import { historyEntryJson } from './historyEntryJson';
import { HistoryQuery, type HistoryPage } from './historyQuery';

const ID = /^\d{1,16}$/;

/** `page`: `first` (or absent), or `bookmark:<log position>` of the last entry already seen. */
function afterOf(page: unknown): Position | 'start' {
  if (page === undefined || page === '' || page === 'first') return 'start';
  const match = typeof page === 'string' ? /^bookmark:(\d{1,20}\/\d{1,20})$/.exec(page) : null;
  if (!match)
    throw CanvasError.model({
      page: [{ attribute: 'page', type: 'invalid', message: 'invalid page' }],
    });
  return decodePosition(match[1]!);
}

/**
 * The audit history (site admins): a conversation's changes, or one user's across their
 * conversations, oldest first, read from the log a page at a time.
 */
@Controller('api/v1')
export class AuditController {
  constructor(
    private readonly queries: QueryBus,
    private readonly users: UserQueries,
  ) {}

  @Get('conversations/:id/history')
  async conversation(
    @CurrentUser() caller: UserRecord,
    @Param('id') id: string,
    @Query() query: Record<string, unknown>,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) res: FastifyReply,
  ) {
    if (!caller.siteAdmin) throw CanvasError.unauthorized();
    if (!ID.test(id)) throw CanvasError.notFound();
    return this.page({ conversationId: id }, query, req, res);
  }

  @Get('users/:user_id/conversations/history')
  async user(
    @CurrentUser() caller: UserRecord,
    @Param('user_id') userId: string,
    @Query() query: Record<string, unknown>,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) res: FastifyReply,
  ) {
    if (!caller.siteAdmin) throw CanvasError.unauthorized();
    const id = userId === 'self' ? caller.id : userId;
    if (!ID.test(id) || !(await this.users.findById(id))) throw CanvasError.notFound();
    return this.page({ userId: id }, query, req, res);
  }

  private async page(
    scope: HistoryQuery['scope'],
    query: Record<string, unknown>,
    req: FastifyRequest,
    res: FastifyReply,
  ) {
    const perPage = clampPerPage(query['per_page']);
    const result = await this.queries.execute<HistoryQuery, HistoryPage>(
      new HistoryQuery(scope, afterOf(query['page']), perPage),
    );
    if (!result.found) throw CanvasError.notFound();
    const last = result.events.at(-1);
    const link = bookmarkLinkHeader(
      `${requestOrigin(req)}${pathOf(req)}`,
      query,
      {
        current:
          typeof query['page'] === 'string' && query['page'] !== '' ? query['page'] : 'first',
        next: result.more && last ? `bookmark:${encodePosition(last.position)}` : undefined,
      },
      perPage,
    );
    if (link) res.header('Link', link);
    return result.events.map(historyEntryJson);
  }
}
