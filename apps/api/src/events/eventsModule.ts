import { Module } from '@nestjs/common';
import { EventFeedController } from './eventFeedController';

@Module({ controllers: [EventFeedController] })
export class EventsModule {}
