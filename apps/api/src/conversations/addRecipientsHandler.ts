import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import {
  DomainError,
  IdGenerator,
  addRecipients,
  evolveConversation,
  recipientsAddedText,
  streams,
} from '@missive/domain';
import {
  AggregateCache,
  execute,
  type CommandContext,
  type EventStore,
} from '@missive/event-store';
import { UserQueries } from '@missive/read-models';
import { ReadYourWrites } from '../infrastructure/readYourWrites';
import { EVENT_STORE } from '../infrastructure/tokens';
import type { Author } from './addMessageHandler';
import { ConversationReader, type ConversationDetail } from './conversationReader';
import { RecipientResolver } from './recipientResolver';

/** POST /conversations/:id/add_recipients: answers with the generated "was added" message. */
export class AddRecipientsCommand {
  constructor(
    readonly author: Author,
    readonly conversationId: string,
    /** As the client named them: user ids, course and group tokens. */
    readonly recipients: readonly string[],
    readonly ctx: CommandContext,
  ) {}
}

@CommandHandler(AddRecipientsCommand)
export class AddRecipientsHandler implements ICommandHandler<
  AddRecipientsCommand,
  ConversationDetail
> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly ids: IdGenerator,
    private readonly users: UserQueries,
    private readonly readYourWrites: ReadYourWrites,
    private readonly cache: AggregateCache,
    private readonly reader: ConversationReader,
    private readonly resolver: RecipientResolver,
  ) {}

  async execute({ author, conversationId, recipients, ctx }: AddRecipientsCommand) {
    await this.reader.participantView(author.id, conversationId);
    const userIds = (await this.resolver.resolve(author, recipients)).filter(
      (r) => r !== author.id,
    );
    // Nobody (new) to add: the same refusal as the domain's when all are members already.
    if (userIds.length === 0) throw new DomainError('invalid', 'recipients', 'none', 'empty');
    const messageId = this.ids.next();
    const names = new Map(
      (await this.users.findByIds(userIds)).map((u) => [u.id, u.shortName || u.name]),
    );
    const text = (added: string[]) =>
      recipientsAddedText(
        [...added].sort((a, b) => Number(a) - Number(b)).map((id) => names.get(id) ?? id),
        author.shortName,
      );
    const { result } = await execute(
      this.store,
      streams.conversation(conversationId),
      evolveConversation,
      (state) =>
        addRecipients(state, {
          addedBy: author.id,
          userIds,
          messageId,
          text,
          at: new Date().toISOString(),
        }),
      ctx,
      { cache: this.cache },
    );
    await this.readYourWrites.waitFor('conversations', result?.position);
    const view = await this.reader.participantView(author.id, conversationId);
    return this.reader.withMessages(view, [messageId]);
  }
}
