import { JobRunner, type DurableJob } from './jobRunner';

/** A job kind whose runs the test finishes by hand. */
class ManualJob implements DurableJob {
  readonly name = 'manual';
  readonly started: string[] = [];
  private readonly finishers = new Map<string, { ok: () => void; fail: (e: Error) => void }>();

  constructor(private readonly pending: string[]) {}

  async unfinished(): Promise<string[]> {
    return [...this.pending];
  }

  resume(id: string): Promise<void> {
    this.started.push(id);
    return new Promise((ok, fail) => this.finishers.set(id, { ok, fail }));
  }

  finish(id: string, error?: Error): void {
    const f = this.finishers.get(id)!;
    if (error) f.fail(error);
    else f.ok();
  }
}

describe('JobRunner', () => {
  let clock = 0;
  const errors: string[] = [];
  const runner = () =>
    new JobRunner({
      sweepIntervalMs: 60_000,
      retryDelayMs: 1000,
      now: () => new Date(clock),
      onError: (job, id) => errors.push(`${job}:${id}`),
    });

  beforeEach(() => {
    clock = 0;
    errors.length = 0;
  });

  it('runs a job once at a time in this process, however often it is asked', async () => {
    const job = new ManualJob([]);
    const jobs = runner();
    const first = jobs.run(job, '1');
    const second = jobs.run(job, '1');
    expect(second).toBe(first);
    await Promise.resolve();
    expect(job.started).toEqual(['1']);
    job.finish('1');
    await first;
    void jobs.run(job, '1');
    expect(job.started).toEqual(['1', '1']);
  });

  it('sweeps unfinished jobs, but leaves one that failed here until its lease has run out', async () => {
    const job = new ManualJob(['1', '2']);
    const jobs = runner();
    jobs.register(job);
    await jobs.sweep();
    expect(job.started).toEqual(['1', '2']);
    const runs = [jobs.run(job, '1'), jobs.run(job, '2')]; // joins the runs in flight
    job.finish('1', new Error('boom'));
    job.finish('2');
    await Promise.all(runs);
    expect(errors).toEqual(['manual:1']);

    await jobs.sweep();
    expect(job.started).toEqual(['1', '2', '2']);
    clock += 1000;
    await jobs.sweep();
    expect(job.started).toEqual(['1', '2', '2', '1']);
  });

  it('lets the jobs in flight finish when it stops', async () => {
    const job = new ManualJob([]);
    const jobs = runner();
    let done = false;
    void jobs.run(job, '1').then(() => (done = true));
    const stopped = jobs.stop();
    await Promise.resolve();
    expect(done).toBe(false);
    job.finish('1');
    await stopped;
    expect(done).toBe(true);
  });
});
