import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { IdGenerator, addMessage, evolveConversation, streams } from '@missive/domain';
import { type EventStore } from '@missive/event-store';
import { AggregateCache, execute, type CommandContext } from '@missive/command-handling';
import { ReadYourWrites } from '../infrastructure/readYourWrites';
import { freshIds, type IdSource } from '../idempotency/requestIds';
import { EVENT_STORE } from '../infrastructure/tokens';
import { ContextTagger } from './contextTagger';

export class AddMessageCommand {
  constructor(
    readonly conversationId: string,
    readonly authorId: string,
    readonly body: string,
    readonly recipientIds: string[] | undefined,
    readonly ctx: CommandContext,
    readonly mediaComment: { mediaId: string; mediaType: string } | null = null,
    readonly forwardedMessageIds: string[] = [],
    /** Fresh by default; an Idempotency-Key fixes it (see requestIds). */
    readonly ids?: IdSource,
  ) {}
}

/** A reply (POST /conversations/:id/add_message): it moves the author's own row too. */
@CommandHandler(AddMessageCommand)
export class AddMessageHandler implements ICommandHandler<AddMessageCommand, string> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly ids: IdGenerator,
    private readonly readYourWrites: ReadYourWrites,
    private readonly tagger: ContextTagger,
    private readonly cache: AggregateCache,
  ) {}

  async execute(cmd: AddMessageCommand): Promise<string> {
    const [messageId] = await (cmd.ids ?? freshIds(this.ids)).take(1);
    const createdAt = new Date().toISOString();
    const { result } = await execute(
      this.store,
      streams.conversation(cmd.conversationId),
      evolveConversation,
      async (state) => {
        // Already written by an attempt of this request that was killed before answering.
        if (state?.messageIds.has(messageId!)) return [];
        // Tags need the participant set, which only the loaded state knows.
        const everyone = state
          ? [...new Set([...state.participantIds, ...(cmd.recipientIds ?? [])])]
          : [];
        const tags = await this.tagger.tagsFor(cmd.authorId, everyone, state?.contextCode);
        return addMessage(state, {
          tags,
          messageId: messageId!,
          authorId: cmd.authorId,
          body: cmd.body,
          mediaComment: cmd.mediaComment,
          forwardedMessageIds: cmd.forwardedMessageIds,
          createdAt,
          recipientIds: cmd.recipientIds,
          updateForSender: true,
        });
      },
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
