import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { CommandContext } from '@missive/command-handling';
import { pathOf } from '../http/requestPath';
import type { AuthenticatedRequest } from './authenticatedRequest';

export const CurrentUser = createParamDecorator(
  (_: unknown, ctx: ExecutionContext) => ctx.switchToHttp().getRequest<AuthenticatedRequest>().user,
);

/** The command context of this request: actor and correlation id for event metadata. */
export const RequestContext = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): CommandContext => {
    const req = ctx.switchToHttp().getRequest<AuthenticatedRequest>();
    return {
      // While masquerading the request acts as the target (authors, recipients, permissions
      // are the target's), but the event metadata names who really acted: the admin.
      actorUserId: (req.realUser ?? req.user)?.id ?? null,
      correlationId: req.correlationId,
      causationId: `http:${req.method} ${req.routeOptions.url ?? pathOf(req)}`,
    };
  },
);
