import type { UserRecord } from '@missive/read-models';
import type { FastifyRequest } from 'fastify';

export interface AuthenticatedRequest extends FastifyRequest {
  /** Who the request acts as: the masqueraded user when `as_user_id` is honoured. */
  user: UserRecord;
  /** The token's owner while masquerading (Canvas's @real_current_user); unset otherwise. */
  realUser?: UserRecord;
  correlationId: string;
}
