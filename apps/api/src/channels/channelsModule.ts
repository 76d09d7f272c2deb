import { Module } from '@nestjs/common';
import type { SchemalessDb } from '@missive/read-models';
import { ChannelQueries } from '@missive/read-models';
import type { AppConfig } from '../config/appConfig';
import { APP_CONFIG, READ_DB } from '../infrastructure/tokens';
import { ConfirmationCodes } from '@missive/domain';
import { confirmationSecret } from '@missive/notifications';
import { ChannelsController } from './channelsController';
import { ConfirmChannelHandler } from './confirmChannelHandler';
import { CreateChannelHandler } from './createChannelHandler';
import { RemoveChannelHandler } from './removeChannelHandler';

@Module({
  controllers: [ChannelsController],
  providers: [
    {
      provide: ChannelQueries,
      useFactory: (db: SchemalessDb) => new ChannelQueries(db),
      inject: [READ_DB],
    },
    {
      provide: ConfirmationCodes,
      useFactory: (config: AppConfig) => new ConfirmationCodes(confirmationSecret(config)),
      inject: [APP_CONFIG],
    },
    CreateChannelHandler,
    RemoveChannelHandler,
    ConfirmChannelHandler,
  ],
})
export class ChannelsModule {}
