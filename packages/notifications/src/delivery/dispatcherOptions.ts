import type { EventStore } from '@missive/event-store';
import type { SchemalessDb } from '@missive/read-models';
import type { NotifierLogger } from '../shared/notifierLogger';
import type { TransportRegistry } from '../transports/transportRegistry';

export interface DispatcherOptions {
  readonly store: EventStore;
  readonly db: SchemalessDb;
  readonly transports: TransportRegistry;
  /** First retry delay after a transient failure; doubles with each attempt. */
  readonly retryBaseMs: number;
  /** How long an attempt may stay `sending` before another dispatcher takes it back. */
  readonly leaseMs: number;
  /** Its name in its attempts, kept across restarts (`node-<NODE_ID>`): see interruptedAttempt. */
  readonly dispatcherId?: string;
  /** Pause between looks at the queue when nothing woke the dispatcher. */
  readonly pollIntervalMs: number;
  /** Messages in the transports at once. Default 16. */
  readonly concurrency?: number;
  /** Queue rows taken per pass. Default 256. */
  readonly batchSize?: number;
  readonly now?: () => Date;
  readonly logger?: NotifierLogger;
}

export interface PassResult {
  /** Due rows looked at. */
  readonly examined: number;
  /** Messages this pass moved on (queued, recovered, attempted). */
  readonly dispatched: number;
}

/** What `GET /health` of a notifier process says about its dispatcher. */
export interface DispatcherStatus {
  /** `failing` after FAILING_AFTER passes in a row failed (the database is unreachable, ...). */
  readonly state: 'running' | 'failing' | 'stopped';
  readonly healthy: boolean;
  /** When the last pass, successful or not, ended (ISO 8601); null before the first. */
  readonly lastPassAt: string | null;
  readonly consecutiveFailures: number;
  readonly lastError: string | null;
}
