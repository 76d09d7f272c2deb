import { Module } from '@nestjs/common';
import { CommsQueries, type SchemalessDb } from '@missive/read-models';
import { READ_DB } from '../infrastructure/tokens';
import { CommsAuthGuard } from './commsAuthGuard';
import { MessagesController } from './messagesController';
import { ProviderStatusController } from './providerStatusController';
import { SendMessagesHandler } from './sendMessagesHandler';

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
  ],
})
export class CommsModule {}
