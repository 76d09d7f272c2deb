import { Module } from '@nestjs/common';
import { CommMessagesController } from './commMessagesController';

/** Read-only: the notifier writes outbound messages, the messages projector lists them. */
@Module({ controllers: [CommMessagesController] })
export class CommMessagesModule {}
