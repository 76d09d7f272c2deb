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
import { type EventStore } from '@missive/event-store';
import { AggregateCache, execute, type CommandContext } from '@missive/command-handling';
import { UserQueries } from '@missive/read-models';
import { logHead } from '../infrastructure/logHead';
import { ReadYourWrites } from '../infrastructure/readYourWrites';
import { freshIds, type IdSource } from '../idempotency/requestIds';
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
    /** Fresh by default; an Idempotency-Key fixes it (see requestIds). */
    readonly ids?: IdSource,
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

  async execute(cmd: AddRecipientsCommand): Promise<ConversationDetail> {
    const { author, conversationId, recipients, ctx } = cmd;
    await this.reader.participantView(author.id, conversationId);
    const userIds = (await this.resolver.resolve(author, recipients)).filter(
      (r) => r !== author.id,
    );
    // Nobody (new) to add: the same refusal as the domain's when all are members already.
    if (userIds.length === 0) throw new DomainError('invalid', 'recipients', 'none', 'empty');
    const [messageId] = await (cmd.ids ?? freshIds(this.ids)).take(1);
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
        // Already written by an attempt of this request that was killed before answering.
        state?.messageIds.has(messageId!)
          ? []
          : addRecipients(state, {
              addedBy: author.id,
              userIds,
              messageId: messageId!,
              text,
              at: new Date().toISOString(),
            }),
      ctx,
      { cache: this.cache },
    );
    await this.readYourWrites.waitFor(
      'conversations',
      result?.position ?? (await logHead(this.store)),
    );
    const view = await this.reader.participantView(author.id, conversationId);
    return this.reader.withMessages(view, [messageId!]);
  }
}
