import { type Position, comparePositions } from '@missive/event-store';
import type { Kysely } from 'kysely';
import { isTransientError } from './isTransientError';
import { isMissingTableError, readCheckpoint } from './projectionTables';

export interface WaitForCheckpointOptions {
  /** Give up after this long and resolve false. */
  readonly timeoutMs: number;
  /** Projection version to wait for; default its highest version (see `readCheckpoint`). */
  readonly version?: number;
  /** Delay between checkpoint reads. Default 5 ms. */
  readonly pollIntervalMs?: number;
}

interface Waiter {
  readonly target: Position;
  readonly intervalMs: number;
  settle(result: boolean | { error: unknown }): void;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const watchesByDb = new WeakMap<Kysely<any>, Map<string, CheckpointWatch>>();

/**
 * Resolves true once the projection's stored checkpoint is at or past `position`, false on
 * timeout. The API calls it after a command for read-your-writes. Concurrent waiters on the
 * same database and projection share one polling loop (one indexed primary-key read per
 * interval however many requests wait), so a burst of commands does not multiply queries.
 */
export function waitForCheckpoint(
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  db: Kysely<any>,
  name: string,
  position: Position | 'start',
  options: WaitForCheckpointOptions,
): Promise<boolean> {
  if (position === 'start') return Promise.resolve(true);
  let watches = watchesByDb.get(db);
  if (!watches) {
    watches = new Map();
    watchesByDb.set(db, watches);
  }
  const key = `${name}\u0000${options.version ?? '*'}`;
  let watch = watches.get(key);
  if (!watch) {
    const created = new CheckpointWatch(db, name, options.version, () => {
      if (watches.get(key) === created) watches.delete(key);
    });
    watches.set(key, created);
    watch = created;
  }
  return watch.wait(position, options.timeoutMs, options.pollIntervalMs ?? 5);
}

class CheckpointWatch {
  readonly #waiters = new Set<Waiter>();
  #polling = false;

  constructor(
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    private readonly db: Kysely<any>,
    private readonly name: string,
    private readonly version: number | undefined,
    private readonly onIdle: () => void,
  ) {}

  wait(target: Position, timeoutMs: number, intervalMs: number): Promise<boolean> {
    return new Promise<boolean>((resolve, reject) => {
      const waiter: Waiter = {
        target,
        intervalMs: Math.max(1, intervalMs),
        settle: (result) => {
          clearTimeout(timer);
          this.#waiters.delete(waiter);
          if (typeof result === 'boolean') resolve(result);
          else reject(result.error);
        },
      };
      const timer = setTimeout(() => waiter.settle(false), Math.max(0, timeoutMs));
      this.#waiters.add(waiter);
      if (!this.#polling) void this.#poll();
    });
  }

  async #poll(): Promise<void> {
    this.#polling = true;
    try {
      while (this.#waiters.size > 0) {
        let checkpoint: Position | 'start' | undefined;
        try {
          checkpoint = (await readCheckpoint(this.db, this.name, this.version))?.position;
        } catch (error) {
          // Not migrated yet, or the database blinked: keep waiting until the timeout.
          if (!isMissingTableError(error) && !isTransientError(error)) {
            for (const waiter of [...this.#waiters]) waiter.settle({ error });
            break;
          }
        }
        if (checkpoint !== undefined) {
          for (const waiter of [...this.#waiters]) {
            if (comparePositions(checkpoint, waiter.target) >= 0) waiter.settle(true);
          }
        }
        if (this.#waiters.size === 0) break;
        let interval = Number.POSITIVE_INFINITY;
        for (const waiter of this.#waiters) interval = Math.min(interval, waiter.intervalMs);
        await new Promise((resolve) => setTimeout(resolve, interval));
      }
    } finally {
      this.#polling = false;
      if (this.#waiters.size === 0) this.onIdle();
    }
  }
}
