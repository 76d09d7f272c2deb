import type { UserRecord } from '@missive/read-models';
import type { Request } from 'express';

export interface AuthenticatedRequest extends Request {
  user: UserRecord;
  correlationId: string;
}
