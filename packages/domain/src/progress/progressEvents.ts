import type { DomainEvent } from '../shared/domainEvent';

/** What a conversation batch update does: `PUT /api/v1/conversations`' `event`. */
export type BatchUpdateAction =
  'mark_as_read' | 'mark_as_unread' | 'star' | 'unstar' | 'archive' | 'destroy';

/** Canvas's Progress object: a background job a client can poll (`/api/v1/progress/:id`). */
export type ProgressQueued = DomainEvent<
  'ProgressQueued',
  {
    progressId: string;
    userId: string;
    tag: string;
    createdAt: string;
    /**
     * The batch update to run (its ids in request order, duplicates dropped): everything a
     * runner needs to resume the job after a crash. Absent on jobs queued before jobs became
     * durable; those cannot be resumed and are failed when found unfinished.
     */
    batchUpdate?: { conversationIds: string[]; event: BatchUpdateAction };
  }
>;

/** A job runner took (or renewed) the job's lease; only it records the job's progress. */
export type ProgressClaimed = DomainEvent<
  'ProgressClaimed',
  { progressId: string; runner: string; attempt: number; leaseUntil: string; at: string }
>;

/**
 * One step of a batch update is done: the next `count` conversation ids after `offset`.
 * `processed` of them were the user's; the others are listed as not participating.
 */
export type ProgressAdvanced = DomainEvent<
  'ProgressAdvanced',
  {
    progressId: string;
    offset: number;
    count: number;
    processed: number;
    notParticipating: string[];
    /** Canvas's `completion`, 0..100; 100 only comes with ProgressCompleted. */
    completion: number;
    at: string;
  }
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

export type ProgressEvent = ProgressQueued | ProgressClaimed | ProgressAdvanced | ProgressCompleted;
