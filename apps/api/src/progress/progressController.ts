import { Controller, Get, Param, Req } from '@nestjs/common';
import { ProgressQueries, type UserRecord } from '@missive/read-models';
import type { FastifyRequest } from 'fastify';
import { requestOrigin } from '../http/requestOrigin';
import { CurrentUser } from '../auth/currentUser';
import { CanvasError } from '../http/canvasError';
import { progressJson } from './progressJson';
import { CanvasIdPipe } from '../http/canvasId';

@Controller('api/v1/progress')
export class ProgressController {
  constructor(private readonly progress: ProgressQueries) {}

  /** The job's owner and site admins may poll it. */
  @Get(':id')
  async show(
    @CurrentUser() user: UserRecord,
    @Param('id', CanvasIdPipe) id: string,
    @Req() req: FastifyRequest,
  ) {
    const progress = await this.progress.find(id);
    if (!progress) throw CanvasError.notFound();
    if (progress.userId !== user.id && !user.siteAdmin) throw CanvasError.unauthorized();
    return progressJson(progress, requestOrigin(req));
  }
}
