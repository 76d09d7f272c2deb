import type { DomainEvent } from '../shared/domainEvent';

/** Canvas's Progress object: a background job a client can poll (`/api/v1/progress/:id`). */
export type ProgressQueued = DomainEvent<
  'ProgressQueued',
  { progressId: string; userId: string; tag: string; createdAt: string }
>;

export type ProgressCompleted = DomainEvent<
  'ProgressCompleted',
  {
    progressId: string;
    /** `failed` when nothing succeeded or the job raised; completion is 100 either way. */
    workflowState: 'completed' | 'failed';
    message: string;
    at: string;
  }
>;

export type ProgressEvent = ProgressQueued | ProgressCompleted;
