import { DomainError } from '../shared/domainError';

/**
 * Claims a job runner may make on one job before the job is given up: a job whose runner keeps
 * dying (or keeps failing on the same step) ends failed instead of being retried forever.
 */
export const MAX_JOB_ATTEMPTS = 5;

/** Who runs a background job, until when, and how many times it has been claimed. */
export interface JobLease {
  readonly runner: string;
  readonly until: string;
  readonly attempt: number;
}

/** The lease a claim event (`ProgressClaimed`, `ConversationBatchClaimed`, ...) records. */
export function leaseOf(claimed: {
  readonly runner: string;
  readonly leaseUntil: string;
  readonly attempt: number;
}): JobLease {
  return { runner: claimed.runner, until: claimed.leaseUntil, attempt: claimed.attempt };
}

export interface JobClaim {
  /** The claiming runner: one per process, so a restarted process is a new runner. */
  readonly runner: string;
  readonly now: Date;
  readonly leaseMs: number;
  /** The holder extending its lease mid-run (same attempt), rather than starting a run. */
  readonly renew?: boolean;
}

/**
 * The attempt number a claim takes. The holder renewing its lease mid-run keeps its attempt;
 * a new run is a new attempt, by the holder (after a failed run) or by anyone once the lease
 * has run out (its runner is presumed dead). A live lease of another runner is a conflict.
 */
export function claimAttempt(lease: JobLease | null, claim: JobClaim): number {
  if (!lease) return 1;
  const mine = lease.runner === claim.runner;
  if (!mine && Date.parse(lease.until) > claim.now.getTime()) {
    throw new DomainError('conflict', 'job', 'the job is leased to another runner');
  }
  if (claim.renew) {
    requireLease(lease, claim.runner);
    return lease.attempt;
  }
  return lease.attempt + 1;
}

/** Progress of a job is recorded only by the runner holding its lease. */
export function requireLease(lease: JobLease | null, runner: string): void {
  if (lease?.runner !== runner) {
    throw new DomainError('conflict', 'job', 'the job is leased to another runner');
  }
}

export function leaseUntil(claim: JobClaim): string {
  return new Date(claim.now.getTime() + claim.leaseMs).toISOString();
}
