import type { DeliveryError, OutboundMessageState } from '@missive/domain';

export interface TakeBackRules {
  readonly now: Date;
  /** How long an attempt may stay `sending` before any dispatcher takes it back. */
  readonly leaseMs: number;
  /** This dispatcher's name in the attempts it starts; undefined: the lease alone decides. */
  readonly dispatcherId: string | undefined;
  /** When this dispatcher's run began: its own attempts from before are left over. */
  readonly runStartedAt: Date;
}

/**
 * The attempt of a `sending` message that no live dispatcher is still making, with the error
 * it is recorded failed with, or null. Either its lease ran out, or it is this dispatcher's
 * own from before its restart: a process that crashed mid-attempt takes back what it had in
 * flight at once instead of leaving it for the lease.
 */
export function interruptedAttempt(
  state: OutboundMessageState,
  rules: TakeBackRules,
): { attempt: { attempt: number; startedAt: string }; error: DeliveryError } | null {
  if (state.state !== 'sending') return null;
  const attempt = state.attempts[state.attempts.length - 1];
  if (!attempt) return null;
  const startedAt = Date.parse(attempt.startedAt);
  const which = { attempt: attempt.attempt, startedAt: attempt.startedAt };
  if (startedAt + rules.leaseMs <= rules.now.getTime()) {
    return {
      attempt: which,
      error: {
        code: 'interrupted',
        message: 'the dispatcher stopped during the attempt (lease expired); sending again',
      },
    };
  }
  const own =
    rules.dispatcherId !== undefined &&
    attempt.dispatcher === rules.dispatcherId &&
    startedAt < rules.runStartedAt.getTime();
  if (!own) return null;
  return {
    attempt: which,
    error: {
      code: 'interrupted',
      message: 'the dispatcher restarted during the attempt; sending again',
    },
  };
}
