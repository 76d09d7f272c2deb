import { Module } from '@nestjs/common';
import { ConversationsController } from './conversationsController';
import { CreateConversationHandler } from './createConversationHandler';
import { ListConversationsHandler } from './listConversationsHandler';
import { AddMessageHandler } from './addMessageHandler';
import { AddRecipientsHandler } from './addRecipientsHandler';
import { BatchUpdateConversationsHandler } from './batchUpdateHandler';
import { ProgressController } from '../progress/progressController';
import { RecipientResolver } from './recipientResolver';
import { ContextTagger } from './contextTagger';
import { AudienceContextsBuilder } from './audienceContexts';
import { ChangeParticipantViewsHandler } from './participantViewHandler';

@Module({
  controllers: [ConversationsController, ProgressController],
  providers: [
    CreateConversationHandler,
    ListConversationsHandler,
    AddMessageHandler,
    ChangeParticipantViewsHandler,
    AddRecipientsHandler,
    RecipientResolver,
    ContextTagger,
    AudienceContextsBuilder,
    BatchUpdateConversationsHandler,
  ],
})
export class ConversationsModule {}
