import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { UserQueries, type UserRecord } from '@missive/read-models';
import { CanvasError } from '../http/canvasError';
import { pathOf } from '../http/requestPath';
import { accessTokenOf } from './accessTokenOf';
import type { AuthenticatedRequest } from './authenticatedRequest';
import { IS_PUBLIC } from './public';
import { hashToken } from './tokenHash';
import { isCanvasId } from '../http/canvasId';

/**
 * Canvas token auth: `Authorization: Bearer <token>`, or the `access_token` parameter; then
 * `as_user_id` masquerading on /api/ paths, as Canvas offers it to site admins.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly users: UserQueries,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<AuthenticatedRequest>();
    // The request id (the client's X-Request-Id or a fresh one, see requestIdOf).
    req.correlationId = req.id;
    const handlers = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, handlers)) return true;

    const token = accessTokenOf(req);
    if (token === undefined) throw CanvasError.unauthenticated();
    const user = await this.users.findByTokenHash(hashToken(token), new Date());
    if (!user) throw CanvasError.invalidToken();
    req.user = user;
    await this.masquerade(req, user);
    return true;
  }

  /**
   * Canvas's load_user: the request then runs as the target in every respect (`self`, what it
   * may see and do, whose name is on what it writes); only the event metadata keeps the real
   * user, as `actorUserId` (see RequestContext).
   */
  private async masquerade(req: AuthenticatedRequest, caller: UserRecord): Promise<void> {
    if (!pathOf(req).startsWith('/api/')) return;
    const requested = asUserIdOf(req);
    if (requested === undefined) return;
    const target = await this.findTarget(requested, caller);
    if (!target || !mayBecome(caller, target)) throw invalidAsUserId();
    if (target.id === caller.id) return;
    req.realUser = caller;
    req.user = target;
  }

  /** Numeric ids and `self`; SIS forms match nobody (there are no SIS ids here). */
  private async findTarget(requested: string, caller: UserRecord) {
    if (requested === 'self') return caller;
    if (!isCanvasId(requested)) return undefined;
    if (requested === caller.id) return caller;
    return this.users.findById(requested);
  }
}

/**
 * Canvas's can_masquerade?: anyone may "become" themself; otherwise the caller needs
 * become_user and the target's permissions must be a subset of the caller's. Site admins
 * have become_user and every permission, and no one else has become_user.
 */
function mayBecome(caller: UserRecord, target: UserRecord): boolean {
  return caller.id === target.id || caller.siteAdmin;
}

/** Canvas renders this one with `errors` as a plain string. */
function invalidAsUserId(): CanvasError {
  return new CanvasError(401, { errors: 'Invalid as_user_id' });
}

/**
 * `as_user_id` from the query, else the body (Rails params let the query win); a blank value
 * means no masquerade (Rails `.presence`), and a value that is not a scalar matches no one.
 */
function asUserIdOf(req: AuthenticatedRequest): string | undefined {
  const query = (req.query as Record<string, unknown> | undefined)?.['as_user_id'];
  const value =
    query !== undefined ? query : (req.body as Record<string, unknown> | undefined)?.['as_user_id'];
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number') return String(value);
  if (typeof value !== 'string') return '';
  return value.trim() === '' ? undefined : value;
}
