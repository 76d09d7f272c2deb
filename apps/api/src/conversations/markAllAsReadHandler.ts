import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { updateParticipantView } from '@missive/domain';
import type { CommandContext } from '@missive/command-handling';
import { ConversationQueries } from '@missive/read-models';
import { ParticipantViewWrites } from './participantViewWrites';

export class MarkAllAsReadCommand {
  constructor(
    readonly userId: string,
    readonly ctx: CommandContext,
  ) {}
}

/** POST /conversations/mark_all_as_read: every unread row of the user turns read. */
@CommandHandler(MarkAllAsReadCommand)
export class MarkAllAsReadHandler implements ICommandHandler<MarkAllAsReadCommand, void> {
  constructor(
    private readonly conversations: ConversationQueries,
    private readonly views: ParticipantViewWrites,
  ) {}

  async execute({ userId, ctx }: MarkAllAsReadCommand): Promise<void> {
    const at = new Date().toISOString();
    const ids = await this.conversations.unreadIds(userId);
    const events = ids.flatMap((conversationId) =>
      updateParticipantView({ conversationId, userId, private: false, workflowState: 'read', at }),
    );
    await this.views.append(events, ctx);
  }
}
