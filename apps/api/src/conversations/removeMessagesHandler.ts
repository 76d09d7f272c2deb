import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { removeMessages } from '@missive/domain';
import type { CommandContext } from '@missive/command-handling';
import { isCanvasId } from '../http/canvasId';
import { ConversationReader, type ConversationDetail } from './conversationReader';
import { ParticipantViewWrites } from './participantViewWrites';

/** POST /conversations/:id/remove_messages: the user's copies of these messages go. */
export class RemoveMessagesCommand {
  constructor(
    readonly userId: string,
    readonly conversationId: string,
    readonly messageIds: readonly string[],
    readonly ctx: CommandContext,
  ) {}
}

/** Null when there was nothing to remove (Canvas then renders nothing). */
@CommandHandler(RemoveMessagesCommand)
export class RemoveMessagesHandler implements ICommandHandler<
  RemoveMessagesCommand,
  ConversationDetail | null
> {
  constructor(
    private readonly reader: ConversationReader,
    private readonly views: ParticipantViewWrites,
  ) {}

  async execute({ userId, conversationId, messageIds, ctx }: RemoveMessagesCommand) {
    await this.reader.participantView(userId, conversationId);
    const events = removeMessages({
      conversationId,
      userId,
      messageIds: messageIds.filter(isCanvasId),
      at: new Date().toISOString(),
    });
    if (events.length === 0) return null;
    await this.views.append(events, ctx);
    return this.reader.withContexts(await this.reader.participantView(userId, conversationId));
  }
}
