import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { deleteParticipantView } from '@missive/domain';
import type { CommandContext } from '@missive/event-store';
import type { ConversationView } from '@missive/read-models';
import { ConversationReader } from './conversationReader';
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
  ConversationView
> {
  constructor(
    private readonly reader: ConversationReader,
    private readonly views: ParticipantViewWrites,
  ) {}

  async execute({ userId, conversationId, ctx }: DeleteConversationCommand) {
    await this.reader.participantView(userId, conversationId);
    const at = new Date().toISOString();
    await this.views.append(deleteParticipantView({ conversationId, userId, at }), ctx);
    return this.reader.participantView(userId, conversationId);
  }
}
