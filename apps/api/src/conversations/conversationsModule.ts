import { Module } from '@nestjs/common';
import type { EventStore } from '@missive/event-store';
import { IdGenerator } from '@missive/domain';
import {
  ConversationBatchQueries,
  ConversationQueries,
  ProgressQueries,
  RecipientSearch,
  type SchemalessDb,
} from '@missive/read-models';
import { ReadYourWrites } from '../infrastructure/readYourWrites';
import { EVENT_STORE, READ_DB } from '../infrastructure/tokens';
import { JobRunner, type JobLeaseSettings } from '../jobs/jobRunner';
import { JOB_LEASE } from '../jobs/jobTokens';
import { BatchUpdateJob } from './batchUpdateJob';
import { ConversationBatchJob } from './conversationBatchJob';
import { ConversationWriter } from './conversationWriter';
import { ConversationsController } from './conversationsController';
import { CreateConversationHandler } from './createConversationHandler';
import { ListConversationsHandler } from './listConversationsHandler';
import { AddMessageHandler } from './addMessageHandler';
import { AddRecipientsHandler } from './addRecipientsHandler';
import { BatchUpdateConversationsHandler } from './batchUpdateHandler';
import { ProgressController } from '../progress/progressController';
import { ShowProgressHandler } from '../progress/showProgressHandler';
import { RecipientResolver } from './recipientResolver';
import { ContextTagger } from './contextTagger';
import { AudienceContextsBuilder } from './audienceContexts';
import { ParticipantViewWrites } from './participantViewWrites';
import { ConversationReader } from './conversationReader';
import { MarkAllAsReadHandler } from './markAllAsReadHandler';
import { ShowConversationHandler } from './showConversationHandler';
import { UpdateConversationHandler } from './updateConversationHandler';
import { DeleteConversationHandler } from './deleteConversationHandler';
import { RemoveMessagesHandler } from './removeMessagesHandler';
import { UnreadCountHandler } from './unreadCountHandler';
import { ListBatchesHandler } from './listBatchesHandler';
import { CreatedConversationsHandler } from './createdConversationsHandler';
import { ConversationRenderer } from './conversationRenderer';
import { ConversationAsOfShow } from '../audit/conversationAsOfShow';
import { ConversationAsOfHandler } from '../audit/conversationAsOfQuery';

@Module({
  controllers: [ConversationsController, ProgressController],
  providers: [
    // Use cases: one handler per command or query.
    CreateConversationHandler,
    CreatedConversationsHandler,
    ListConversationsHandler,
    ListBatchesHandler,
    UnreadCountHandler,
    ShowConversationHandler,
    UpdateConversationHandler,
    DeleteConversationHandler,
    MarkAllAsReadHandler,
    AddMessageHandler,
    AddRecipientsHandler,
    RemoveMessagesHandler,
    BatchUpdateConversationsHandler,
    ShowProgressHandler,
    // What they share.
    ConversationReader,
    ParticipantViewWrites,
    RecipientResolver,
    ContextTagger,
    AudienceContextsBuilder,
    ConversationRenderer,
    // The audit's past view of show (as_of).
    ConversationAsOfShow,
    ConversationAsOfHandler,
    {
      provide: RecipientSearch,
      useFactory: (db: SchemalessDb) => new RecipientSearch(db),
      inject: [READ_DB],
    },
    ConversationWriter,
    {
      provide: ConversationBatchJob,
      useFactory: (
        store: EventStore,
        ids: IdGenerator,
        writer: ConversationWriter,
        batches: ConversationBatchQueries,
        lease: JobLeaseSettings,
        readYourWrites: ReadYourWrites,
        runner: JobRunner,
      ) => {
        const job = new ConversationBatchJob({
          store,
          ids,
          writer,
          batches,
          lease,
          waitForConversations: (position) =>
            readYourWrites.waitFor('conversations', position).catch(() => undefined),
        });
        runner.register(job);
        return job;
      },
      inject: [
        EVENT_STORE,
        IdGenerator,
        ConversationWriter,
        ConversationBatchQueries,
        JOB_LEASE,
        ReadYourWrites,
        JobRunner,
      ],
    },
    {
      provide: BatchUpdateJob,
      useFactory: (
        store: EventStore,
        conversations: ConversationQueries,
        progress: ProgressQueries,
        lease: JobLeaseSettings,
        readYourWrites: ReadYourWrites,
        runner: JobRunner,
      ) => {
        const job = new BatchUpdateJob({
          store,
          conversations,
          progress,
          lease,
          // Best effort: a read model lagging past the timeout delays no job.
          waitForConversations: (position) =>
            readYourWrites.waitFor('conversations', position).catch(() => undefined),
        });
        runner.register(job);
        return job;
      },
      inject: [
        EVENT_STORE,
        ConversationQueries,
        ProgressQueries,
        JOB_LEASE,
        ReadYourWrites,
        JobRunner,
      ],
    },
  ],
})
export class ConversationsModule {}
