import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { IdGenerator, addMessage, evolveConversation, streams } from '@missive/domain';
import type { EventStore } from '@missive/event-store';
import type { CommandContext } from '../infrastructure/commandContext';
import { execute } from '../infrastructure/eventSourcing';
import { ReadYourWrites } from '../infrastructure/readYourWrites';
import { EVENT_STORE } from '../infrastructure/tokens';

export class AddMessageCommand {
  constructor(
    readonly conversationId: string,
    readonly authorId: string,
    readonly body: string,
    readonly recipientIds: string[] | undefined,
    readonly ctx: CommandContext,
  ) {}
}

/** A reply (POST /conversations/:id/add_message): it moves the author's own row too. */
@CommandHandler(AddMessageCommand)
export class AddMessageHandler implements ICommandHandler<AddMessageCommand, string> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly ids: IdGenerator,
    private readonly readYourWrites: ReadYourWrites,
  ) {}

  async execute(cmd: AddMessageCommand): Promise<string> {
    const messageId = this.ids.next();
    const createdAt = new Date().toISOString();
    const { result } = await execute(
      this.store,
      streams.conversation(cmd.conversationId),
      evolveConversation,
      (state) =>
        addMessage(state, {
          messageId,
          authorId: cmd.authorId,
          body: cmd.body,
          createdAt,
          recipientIds: cmd.recipientIds,
          updateForSender: true,
        }),
      cmd.ctx,
    );
    await this.readYourWrites.waitFor('conversations', result?.position);
    return messageId;
  }
}
