import {
  Global,
  Injectable,
  Logger,
  Module,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import type { AppConfig } from '../config/appConfig';
import { APP_CONFIG } from '../infrastructure/tokens';
import { JobRunner, newLeaseSettings, type JobLeaseSettings } from './jobRunner';
import { JOB_LEASE } from './jobTokens';

/** Starts the sweep once every module has registered its jobs; lets running jobs finish on shutdown. */
@Injectable()
class JobRunnerLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(private readonly runner: JobRunner) {}

  onApplicationBootstrap(): void {
    this.runner.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.runner.stop();
  }
}

/**
 * The durable background jobs' runner, in every API process: the jobs' steps are the API's own
 * command code (participant views, private-conversation claims, Comms fan-out), and each
 * process resumes jobs whose runner died. Modules register their jobs with `JobRunner`.
 */
@Global()
@Module({
  providers: [
    {
      provide: JOB_LEASE,
      useFactory: (config: AppConfig): JobLeaseSettings => newLeaseSettings(config.JOB_LEASE_MS),
      inject: [APP_CONFIG],
    },
    {
      provide: JobRunner,
      useFactory: (config: AppConfig) => {
        const logger = new Logger('JobRunner');
        return new JobRunner({
          sweepIntervalMs: config.JOB_SWEEP_INTERVAL_MS,
          retryDelayMs: config.JOB_LEASE_MS,
          onError: (job, id, error) =>
            logger.error(`${job} ${id} failed; it is taken up again later: ${String(error)}`),
        });
      },
      inject: [APP_CONFIG],
    },
    JobRunnerLifecycle,
  ],
  exports: [JOB_LEASE, JobRunner],
})
export class JobsModule {}
