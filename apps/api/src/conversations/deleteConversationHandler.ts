import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { deleteParticipantView } from '@missive/domain';
import type { CommandContext } from '@missive/command-handling';
import { ConversationReader, type ConversationDetail } from './conversationReader';
import { ParticipantViewWrites } from './participantViewWrites';

/** DELETE /conversations/:id: empties this user's row; the others keep theirs. */
export class DeleteConversationCommand {
  constructor(
    readonly userId: string,
    readonly conversationId: string,
    readonly ctx: CommandContext,
  ) {}
}

@CommandHandler(DeleteConversationCommand)
export class DeleteConversationHandler implements ICommandHandler<
  DeleteConversationCommand,
  ConversationDetail
> {
  constructor(
    private readonly reader: ConversationReader,
    private readonly views: ParticipantViewWrites,
  ) {}

  async execute({ userId, conversationId, ctx }: DeleteConversationCommand) {
    await this.reader.participantView(userId, conversationId);
    const at = new Date().toISOString();
    await this.views.append(deleteParticipantView({ conversationId, userId, at }), ctx);
    return this.reader.withContexts(await this.reader.participantView(userId, conversationId));
  }
}
