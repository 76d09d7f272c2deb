import { comparePositions, type Position } from '@missive/event-store';

interface Waiter {
  readonly target: Position;
  readonly resolve: () => void;
}

/**
 * How far each projection has committed, as its runner reports it (in process, or from the
 * cluster primary over IPC). Read-your-writes answers as soon as the commit that covers its
 * append is reported, instead of at the next read of the checkpoint row.
 */
export class CommittedPositions {
  readonly #latest = new Map<string, Position>();
  readonly #waiters = new Map<string, Set<Waiter>>();

  record(projection: string, position: Position): void {
    const latest = this.#latest.get(projection);
    if (latest && comparePositions(latest, position) >= 0) return;
    this.#latest.set(projection, position);
    const waiters = this.#waiters.get(projection);
    if (!waiters) return;
    for (const waiter of waiters) {
      if (comparePositions(position, waiter.target) >= 0) {
        waiters.delete(waiter);
        waiter.resolve();
      }
    }
  }

  /** Resolves once a commit at or past `target` is reported; `cancel` drops the wait. */
  wait(projection: string, target: Position): { passed: Promise<void>; cancel(): void } {
    const latest = this.#latest.get(projection);
    if (latest && comparePositions(latest, target) >= 0) {
      return { passed: Promise.resolve(), cancel: () => undefined };
    }
    let waiters = this.#waiters.get(projection);
    if (!waiters) {
      waiters = new Set();
      this.#waiters.set(projection, waiters);
    }
    const set = waiters;
    let waiter!: Waiter;
    const passed = new Promise<void>((resolve) => {
      waiter = { target, resolve };
    });
    set.add(waiter);
    return { passed, cancel: () => set.delete(waiter) };
  }
}
