import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { DomainError, IdGenerator, addMessage, evolveConversation, streams } from '@missive/domain';
import { type EventStore } from '@missive/event-store';
import { AggregateCache, execute, type CommandContext } from '@missive/command-handling';
import { logHead } from '../infrastructure/logHead';
import { ReadYourWrites } from '../infrastructure/readYourWrites';
import { crashPoint } from '../operability/crashPoint';
import { freshIds, type IdSource } from '../idempotency/requestIds';
import { EVENT_STORE } from '../infrastructure/tokens';
import { isCanvasId } from '../http/canvasId';
import { ContextTagger } from './contextTagger';
import { refuseAttachments } from './conversationErrors';
import { ConversationReader, type ConversationDetail } from './conversationReader';
import { RecipientResolver } from './recipientResolver';

export interface Author {
  id: string;
  siteAdmin: boolean;
  shortName: string;
}

export interface Reply {
  body: string;
  /** As the client named them; unset: everyone in the conversation. */
  recipients?: string[];
  attachmentIds?: unknown[];
  mediaComment: { mediaId: string; mediaType: string } | null;
  /** included_messages: earlier messages forwarded with this one. */
  included: string[];
}

/** POST /conversations/:id/add_message: a reply, which moves the author's own row too. */
export class AddMessageCommand {
  constructor(
    readonly author: Author,
    readonly conversationId: string,
    readonly reply: Reply,
    readonly ctx: CommandContext,
    /** Fresh by default; an Idempotency-Key fixes it (see requestIds). */
    readonly ids?: IdSource,
  ) {}
}

@CommandHandler(AddMessageCommand)
export class AddMessageHandler implements ICommandHandler<AddMessageCommand, ConversationDetail> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly ids: IdGenerator,
    private readonly readYourWrites: ReadYourWrites,
    private readonly tagger: ContextTagger,
    private readonly cache: AggregateCache,
    private readonly reader: ConversationReader,
    private readonly resolver: RecipientResolver,
  ) {}

  async execute(cmd: AddMessageCommand): Promise<ConversationDetail> {
    const { author, conversationId, reply, ctx } = cmd;
    const current = await this.reader.participantView(author.id, conversationId);
    refuseAttachments(reply.attachmentIds);
    let recipientIds: string[] | undefined;
    if (reply.recipients && reply.recipients.length > 0) {
      // Current participants stay addressable; anyone new must be in the author's address book.
      const members = new Set(current.participants.map((p) => p.id));
      const named = reply.recipients.map((r) => r.trim());
      const newcomers = await this.resolver.resolve(
        author,
        named.filter((r) => !members.has(r)),
      );
      recipientIds = [
        ...new Set([
          ...named.filter((r) => members.has(r)),
          ...newcomers.filter((r) => r !== author.id),
        ]),
      ];
      if (recipientIds.length === 0) throw new DomainError('invalid', 'recipients', 'invalid');
    }
    const included = [...new Set(reply.included)];
    if (included.length > 0) await this.checkIncluded(author.id, conversationId, included);

    const [messageId] = await (cmd.ids ?? freshIds(this.ids)).take(1);
    const createdAt = new Date().toISOString();
    const { result } = await execute(
      this.store,
      streams.conversation(conversationId),
      evolveConversation,
      async (state) => {
        // Already written by an attempt of this request that was killed before answering.
        if (state?.messageIds.has(messageId!)) return [];
        // Tags need the participant set, which only the loaded state knows.
        const everyone = state
          ? [...new Set([...state.participantIds, ...(recipientIds ?? [])])]
          : [];
        const tags = await this.tagger.tagsFor(author.id, everyone, state?.contextCode);
        return addMessage(state, {
          tags,
          messageId: messageId!,
          authorId: author.id,
          body: reply.body,
          mediaComment: reply.mediaComment,
          forwardedMessageIds: included,
          createdAt,
          recipientIds,
          updateForSender: true,
        });
      },
      ctx,
      { cache: this.cache },
    );
    if (result) crashPoint('add-message:written');
    // An attempt that finds its message already written appends nothing: wait for the head.
    await this.readYourWrites.waitFor(
      'conversations',
      result?.position ?? (await logHead(this.store)),
    );
    const view = await this.reader.participantView(author.id, conversationId);
    return this.reader.withMessages(view, [messageId!]);
  }

  /** Each included message must be of this conversation and held by the author. */
  private async checkIncluded(userId: string, conversationId: string, ids: string[]) {
    const found = await this.reader.conversations.messages(ids.filter(isCanvasId));
    if (found.length !== ids.length || found.some((m) => m.conversationId !== conversationId)) {
      throw new DomainError('invalid', 'included_messages', 'not for this conversation');
    }
    const held = new Set(
      (await this.reader.conversations.messagesForUser(userId, conversationId)).map((m) => m.id),
    );
    if (ids.some((m) => !held.has(m))) {
      throw new DomainError('invalid', 'included_messages', 'not a participant');
    }
  }
}
