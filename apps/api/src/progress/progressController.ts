import { Controller, Get, Param, Req } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import type { ProgressRecord, UserRecord } from '@missive/read-models';
import type { FastifyRequest } from 'fastify';
import { requestOrigin } from '../http/requestOrigin';
import { CurrentUser } from '../auth/currentUser';
import { CanvasIdPipe } from '../http/canvasId';
import { progressJson } from './progressJson';
import { ShowProgressQuery } from './showProgressHandler';

@Controller('api/v1/progress')
export class ProgressController {
  constructor(private readonly queries: QueryBus) {}

  /** The job's owner and site admins may poll it. */
  @Get(':id')
  async show(
    @CurrentUser() user: UserRecord,
    @Param('id', CanvasIdPipe) id: string,
    @Req() req: FastifyRequest,
  ) {
    const progress = await this.queries.execute<ShowProgressQuery, ProgressRecord>(
      new ShowProgressQuery(user, id),
    );
    return progressJson(progress, requestOrigin(req));
  }
}
