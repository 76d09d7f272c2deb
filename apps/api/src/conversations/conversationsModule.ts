import { Module } from '@nestjs/common';
import { ConversationsController } from './conversationsController';
import { CreateConversationHandler } from './createConversationHandler';
import { ListConversationsHandler } from './listConversationsHandler';

@Module({
  controllers: [ConversationsController],
  providers: [CreateConversationHandler, ListConversationsHandler],
})
export class ConversationsModule {}
