import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { DomainError, updateParticipantView } from '@missive/domain';
import type { CommandContext } from '@missive/command-handling';
import { ConversationReader, type ConversationDetail } from './conversationReader';
import { ParticipantViewWrites } from './participantViewWrites';

/** GET /conversations/:id: a read that marks the conversation read unless told not to. */
export class ShowConversationCommand {
  constructor(
    readonly userId: string,
    readonly conversationId: string,
    readonly autoMarkAsRead: boolean,
    readonly ctx: CommandContext,
    /** include_participant_contexts: each participant's common courses and groups. */
    readonly participantContexts = true,
  ) {}
}

@CommandHandler(ShowConversationCommand)
export class ShowConversationHandler implements ICommandHandler<
  ShowConversationCommand,
  ConversationDetail
> {
  constructor(
    private readonly reader: ConversationReader,
    private readonly views: ParticipantViewWrites,
  ) {}

  async execute(cmd: ShowConversationCommand): Promise<ConversationDetail> {
    const { userId, conversationId } = cmd;
    let view = await this.reader.participantView(userId, conversationId);
    // A row with no messages left (all removed, or deleted) is not shown.
    if (view.messageCount === 0) throw new DomainError('not_found', 'id', 'no messages');
    if (cmd.autoMarkAsRead && view.workflowState === 'unread') {
      const events = updateParticipantView({
        conversationId,
        userId,
        private: view.private,
        workflowState: 'read',
        at: new Date().toISOString(),
      });
      await this.views.append(events, cmd.ctx);
      view = await this.reader.participantView(userId, conversationId);
    }
    const messages = await this.reader.conversations.messagesForUser(userId, conversationId);
    return {
      view,
      messages,
      forwarded: await this.reader.forwardedOf(messages),
      audienceContexts: (await this.reader.contextsOf([view])).get(view.id),
      participantContexts: cmd.participantContexts
        ? await this.reader.participantContexts(view)
        : undefined,
      contextName: await this.reader.contextNameOf(view.contextCode),
    };
  }
}
