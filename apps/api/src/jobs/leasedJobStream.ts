import { execute, type CommandContext } from '@missive/command-handling';
import { DomainError, type DomainEvent, type JobClaim } from '@missive/domain';
import type { EventStore } from '@missive/event-store';
import type { JobLeaseSettings } from './jobRunner';

export interface LeasedJobStream<S, E extends DomainEvent> {
  /** Appends what `decide` makes of the job's state (retried on a concurrent write). */
  record(decide: (state: S | null) => readonly E[]): Promise<unknown>;
  /** Takes the job's lease for this runner, or (`renew`) extends the one it holds. */
  claim(renew: boolean): Promise<unknown>;
  /**
   * Runs the job's steps. A conflict means another runner holds the lease (or took it over):
   * the job is in its hands, and this run ends quietly.
   */
  run(steps: () => Promise<void>): Promise<void>;
}

/** The stream of a durable job as the runner holding its lease writes it. */
export function leasedJobStream<S, E extends DomainEvent>(options: {
  readonly store: EventStore;
  readonly stream: string;
  readonly evolve: (state: S | null, event: E) => S | null;
  readonly ctx: CommandContext;
  readonly lease: JobLeaseSettings;
  readonly claim: (state: S | null, claim: JobClaim) => readonly NoInfer<E>[];
}): LeasedJobStream<S, E> {
  const { store, stream, evolve, ctx, lease } = options;
  const record = (decide: (state: S | null) => readonly E[]) =>
    execute(store, stream, evolve, decide, ctx, { now: lease.now });
  return {
    record,
    claim: (renew) =>
      record((s) =>
        options.claim(s, {
          runner: lease.runner,
          leaseMs: lease.leaseMs,
          now: lease.now(),
          renew,
        }),
      ),
    async run(steps) {
      try {
        await steps();
      } catch (error) {
        if (error instanceof DomainError && error.kind === 'conflict') return;
        throw error;
      }
    },
  };
}
