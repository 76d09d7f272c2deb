import { Logger, Module } from '@nestjs/common';
import { IdGenerator } from '@missive/domain';
import type { EventStore } from '@missive/event-store';
import { CommsQueries, type SchemalessDb } from '@missive/read-models';
import { EVENT_STORE, READ_DB } from '../infrastructure/tokens';
import { JobRunner, type JobLeaseSettings } from '../jobs/jobRunner';
import { JOB_LEASE } from '../jobs/jobTokens';
import { CommsAuthGuard } from './commsAuthGuard';
import { MessagesController } from './messagesController';
import { ProviderStatusController } from './providerStatusController';
import { SendMessagesHandler } from './sendMessagesHandler';
import { SendMessagesJob } from './sendMessagesJob';

/** The Twilio-style Comms API under /v1 (README, "Comms API"). */
@Module({
  // The webhook's path is more specific than `:messageId`, but POST never meets that route.
  controllers: [ProviderStatusController, MessagesController],
  providers: [
    {
      provide: CommsQueries,
      useFactory: (db: SchemalessDb) => new CommsQueries(db),
      inject: [READ_DB],
    },
    CommsAuthGuard,
    SendMessagesHandler,
    {
      provide: SendMessagesJob,
      useFactory: (
        store: EventStore,
        ids: IdGenerator,
        comms: CommsQueries,
        lease: JobLeaseSettings,
        runner: JobRunner,
      ) => {
        const logger = new Logger('SendMessagesJob');
        const job = new SendMessagesJob({
          store,
          ids,
          comms,
          lease,
          onRetentionError: (stream, error) =>
            logger.warn(`could not set $maxAge on ${stream}: ${String(error)}`),
        });
        runner.register(job);
        return job;
      },
      inject: [EVENT_STORE, IdGenerator, CommsQueries, JOB_LEASE, JobRunner],
    },
  ],
})
export class CommsModule {}
