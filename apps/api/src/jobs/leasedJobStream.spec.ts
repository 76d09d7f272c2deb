import { DomainError, type DomainEvent } from '@missive/domain';
import type { EventStore } from '@missive/event-store';
import { leasedJobStream } from './leasedJobStream';

// `run` reads and writes nothing itself: a store is never reached by these tests.
const job = leasedJobStream<null, DomainEvent>({
  store: {} as EventStore,
  stream: 'progress-1',
  evolve: () => null,
  ctx: { correlationId: 'c', causationId: 'e', actorUserId: null },
  lease: { runner: 'a', leaseMs: 1000, now: () => new Date(0) },
  claim: () => [],
});

describe('leasedJobStream run', () => {
  it('ends quietly when another runner holds the lease (a conflict)', async () => {
    const steps = jest.fn(async () => {
      throw new DomainError('conflict', 'job', 'the job is leased to another runner');
    });

    await expect(job.run(steps)).resolves.toBeUndefined();
    expect(steps).toHaveBeenCalledTimes(1);
  });

  it('passes on every other failure', async () => {
    const notFound = new DomainError('not_found', 'batch', 'gone');
    const broken = new Error('disk full');

    await expect(job.run(() => Promise.reject(notFound))).rejects.toBe(notFound);
    await expect(job.run(() => Promise.reject(broken))).rejects.toBe(broken);
  });
});
