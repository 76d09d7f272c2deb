import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { UserQueries } from '@missive/read-models';
import { randomUUID } from 'node:crypto';
import { CanvasError } from '../http/canvasError';
import type { AuthenticatedRequest } from './authenticatedRequest';
import { IS_PUBLIC } from './public';
import { hashToken } from './tokenHash';

/** Canvas token auth: `Authorization: Bearer <token>`, or the `access_token` parameter. */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly users: UserQueries,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const header = req.get('x-request-id');
    req.correlationId = header && header.length <= 200 ? header : randomUUID();
    if (this.reflector.get<boolean>(IS_PUBLIC, context.getHandler())) return true;

    const token = tokenOf(req);
    if (token === undefined) throw CanvasError.unauthenticated();
    const user = await this.users.findByTokenHash(hashToken(token), new Date());
    if (!user) throw CanvasError.invalidToken();
    req.user = user;
    return true;
  }
}

function tokenOf(req: AuthenticatedRequest): string | undefined {
  const header = req.get('authorization');
  if (header) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    return match ? match[1] : '';
  }
  const fromQuery = (req.query as Record<string, unknown>)['access_token'];
  if (typeof fromQuery === 'string') return fromQuery;
  const fromBody = (req.body as Record<string, unknown> | undefined)?.['access_token'];
  if (typeof fromBody === 'string') return fromBody;
  return undefined;
}
