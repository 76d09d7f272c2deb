import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';

/** Who this runner is and how long its claims hold (JOB_LEASE_MS). */
export interface JobLeaseSettings {
  /** Unique per process start: a restarted process must not mistake a dead run's lease for its own. */
  readonly runner: string;
  readonly leaseMs: number;
  readonly now: () => Date;
}

export function newLeaseSettings(leaseMs: number, now: () => Date = () => new Date()) {
  return {
    runner: `${hostname()}/${process.pid}/${randomUUID().slice(0, 8)}`,
    leaseMs,
    now,
  } satisfies JobLeaseSettings;
}

/** A kind of background job whose start event holds everything needed to run it. */
export interface DurableJob {
  readonly name: string;
  /** Ids of jobs not finished yet, oldest first (some may be running elsewhere). */
  unfinished(limit: number): Promise<string[]>;
  /**
   * Claims the job (unless `claimed`: the request appended the claim with the job) and runs
   * what is left of it. Returns quietly when another runner holds it; throws when a step fails
   * (the job is taken up again once its lease runs out).
   */
  resume(id: string, options?: { claimed?: boolean }): Promise<void>;
}

export interface JobRunnerOptions {
  /** JOB_SWEEP_INTERVAL_MS: how often unfinished jobs are looked for. */
  readonly sweepIntervalMs: number;
  /** JOB_LEASE_MS: a job that failed here is left alone this long, as any other runner would. */
  readonly retryDelayMs: number;
  readonly now?: () => Date;
  readonly onError: (job: string, id: string, error: unknown) => void;
  /** Jobs a sweep starts at once, beyond those started by requests. */
  readonly sweepConcurrency?: number;
}

/**
 * Runs durable jobs: those a request starts (at once) and, on every sweep, any unfinished job
 * whose runner died (its lease ran out). A job runs at most once at a time in this process;
 * across processes the job's lease, claimed with an expected-revision append, decides.
 */
export class JobRunner {
  private readonly jobs: DurableJob[] = [];
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly failedAt = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private sweeping: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly options: JobRunnerOptions) {}

  register(job: DurableJob): void {
    this.jobs.push(job);
  }

  /** Runs (or joins the run of) one job; never rejects: failures go to `onError`. */
  run(job: DurableJob, id: string, options?: { claimed?: boolean }): Promise<void> {
    const key = `${job.name}:${id}`;
    const running = this.inFlight.get(key);
    if (running) return running;
    const run = job
      .resume(id, options)
      .then(
        () => {
          this.failedAt.delete(key);
        },
        (error: unknown) => {
          this.failedAt.set(key, this.now());
          this.options.onError(job.name, id, error);
        },
      )
      .finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, run);
    return run;
  }

  start(): void {
    this.stopped = false;
    const loop = () => {
      this.sweeping = this.sweep()
        .catch((error: unknown) => this.options.onError('sweep', '-', error))
        .finally(() => {
          if (!this.stopped) this.timer = setTimeout(loop, this.options.sweepIntervalMs).unref();
        });
    };
    // Not at once: a process starting up has projections to catch up on first.
    this.timer = setTimeout(loop, this.options.sweepIntervalMs).unref();
  }

  /** Looks for unfinished jobs once and runs those no live lease holds. */
  async sweep(): Promise<void> {
    const limit = this.options.sweepConcurrency ?? 4;
    // A job that failed here may since have been finished elsewhere: forget old failures.
    for (const [key, at] of this.failedAt) {
      if (this.now() - at >= this.options.retryDelayMs) this.failedAt.delete(key);
    }
    for (const job of this.jobs) {
      let ids: string[];
      try {
        ids = await job.unfinished(100);
      } catch (error) {
        // Its read model may not exist yet (its projector has not started): the others go on.
        this.options.onError(job.name, '-', error);
        continue;
      }
      for (const id of ids) {
        if (this.stopped) return;
        const failed = this.failedAt.get(`${job.name}:${id}`);
        if (failed !== undefined && this.now() - failed < this.options.retryDelayMs) continue;
        if (this.inFlight.size >= limit) await Promise.race(this.inFlight.values());
        void this.run(job, id);
      }
    }
  }

  private now(): number {
    return (this.options.now?.() ?? new Date()).getTime();
  }

  /** Stops sweeping and lets the jobs in flight finish (a graceful shutdown loses nothing). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.sweeping;
    await Promise.allSettled([...this.inFlight.values()]);
  }
}
