import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import {
  IdGenerator,
  addRecipients,
  evolveConversation,
  recipientsAddedText,
  streams,
} from '@missive/domain';
import { type EventStore } from '@missive/event-store';
import { AggregateCache, execute, type CommandContext } from '@missive/command-handling';
import { UserQueries } from '@missive/read-models';
import { ReadYourWrites } from '../infrastructure/readYourWrites';
import { freshIds, type IdSource } from '../idempotency/requestIds';
import { EVENT_STORE } from '../infrastructure/tokens';

export class AddRecipientsCommand {
  constructor(
    readonly conversationId: string,
    readonly author: { id: string; shortName: string },
    /** Already resolved to messageable users. */
    readonly userIds: string[],
    readonly ctx: CommandContext,
    /** Fresh by default; an Idempotency-Key fixes it (see requestIds). */
    readonly ids?: IdSource,
  ) {}
}

/** add_recipients: returns the id of the generated "was added" message. */
@CommandHandler(AddRecipientsCommand)
export class AddRecipientsHandler implements ICommandHandler<AddRecipientsCommand, string> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly ids: IdGenerator,
    private readonly users: UserQueries,
    private readonly readYourWrites: ReadYourWrites,
    private readonly cache: AggregateCache,
  ) {}

  async execute(cmd: AddRecipientsCommand): Promise<string> {
    const [messageId] = await (cmd.ids ?? freshIds(this.ids)).take(1);
    const names = new Map(
      (await this.users.findByIds(cmd.userIds)).map((u) => [u.id, u.shortName || u.name]),
    );
    const text = (added: string[]) =>
      recipientsAddedText(
        [...added].sort((a, b) => Number(a) - Number(b)).map((id) => names.get(id) ?? id),
        cmd.author.shortName,
      );
    const { result } = await execute(
      this.store,
      streams.conversation(cmd.conversationId),
      evolveConversation,
      (state) =>
        // Already written by an attempt of this request that was killed before answering.
        state?.messageIds.has(messageId!)
          ? []
          : addRecipients(state, {
              addedBy: cmd.author.id,
              userIds: cmd.userIds,
              messageId: messageId!,
              text,
              at: new Date().toISOString(),
            }),
      cmd.ctx,
      { cache: this.cache },
    );
    await this.readYourWrites.waitFor(
      'conversations',
      result?.position ?? (await this.store.headPosition().then((h) => (h === 'start' ? null : h))),
    );
    return messageId!;
  }
}
