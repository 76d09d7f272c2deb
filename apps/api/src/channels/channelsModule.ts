import { Module } from '@nestjs/common';
import type { SchemalessDb } from '@missive/read-models';
import { ChannelQueries } from '@missive/read-models';
import { READ_DB } from '../infrastructure/tokens';
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
    CreateChannelHandler,
    RemoveChannelHandler,
    ConfirmChannelHandler,
  ],
})
export class ChannelsModule {}
