import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { updateParticipantView } from '@missive/domain';
import type { CommandContext } from '@missive/command-handling';
import { ConversationReader, type ConversationDetail } from './conversationReader';
import { ParticipantViewWrites } from './participantViewWrites';

export interface ConversationViewChanges {
  workflowState?: string;
  starred?: boolean;
  subscribed?: boolean;
}

/** PUT /conversations/:id: the user's own state, star and subscription on the conversation. */
export class UpdateConversationCommand {
  constructor(
    readonly userId: string,
    readonly conversationId: string,
    readonly changes: ConversationViewChanges,
    readonly ctx: CommandContext,
  ) {}
}

@CommandHandler(UpdateConversationCommand)
export class UpdateConversationHandler implements ICommandHandler<
  UpdateConversationCommand,
  ConversationDetail
> {
  constructor(
    private readonly reader: ConversationReader,
    private readonly views: ParticipantViewWrites,
  ) {}

  async execute({ userId, conversationId, changes, ctx }: UpdateConversationCommand) {
    const view = await this.reader.participantView(userId, conversationId);
    const events = updateParticipantView({
      conversationId,
      userId,
      private: view.private,
      ...changes,
      at: new Date().toISOString(),
    });
    await this.views.append(events, ctx);
    return this.reader.withContexts(await this.reader.participantView(userId, conversationId));
  }
}
