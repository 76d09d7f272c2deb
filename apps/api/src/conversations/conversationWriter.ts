import { Inject, Injectable } from '@nestjs/common';
import {
  IdGenerator,
  addMessage,
  evolveConversation,
  privateHashOf,
  startConversation,
  streams,
  type ConversationState,
  type PrivateConversationClaimed,
} from '@missive/domain';
import { WrongExpectedVersionError, type EventStore, type Position } from '@missive/event-store';
import {
  AggregateCache,
  execute,
  load,
  toEventData,
  type CommandContext,
} from '@missive/command-handling';
import { EVENT_STORE } from '../infrastructure/tokens';
import { ContextTagger } from './contextTagger';

/** What a create writes in every conversation it touches. */
export interface OutgoingMessage {
  body: string;
  mediaComment: { mediaId: string; mediaType: string } | null;
  subject: string | null;
  contextCode: string | null;
  createdAt: string;
}

/**
 * Ids to write under. Fresh ones by default; a batch job passes the ids it fixed for the
 * recipient, so that writing again (after a crash) finds the message already there.
 */
export interface WriteIds {
  conversationId?: string;
  messageId?: string;
}

export interface Written {
  conversationId: string;
  messageId: string;
  position: Position | null;
}

const CONTEXT_CLASS: Record<string, string> = { course: 'Course', group: 'Group' };

/**
 * Writes one new message of a create: a new conversation, or the private conversation of the
 * participant pair (reused by Canvas's private hash, claimed with `no_stream` when new). A
 * message id already in the conversation means this write happened: it decides nothing.
 */
@Injectable()
export class ConversationWriter {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly ids: IdGenerator,
    private readonly tagger: ContextTagger,
    private readonly cache: AggregateCache,
  ) {}

  async startNew(
    authorId: string,
    recipients: string[],
    privateHash: string | null,
    message: OutgoingMessage,
    ctx: CommandContext,
    given: WriteIds = {},
  ): Promise<Written> {
    const conversationId = given.conversationId ?? this.ids.next();
    const messageId = given.messageId ?? this.ids.next();
    const tags = await this.tagger.tagsFor(authorId, recipients, message.contextCode);
    const { result } = await execute(
      this.store,
      streams.conversation(conversationId),
      evolveConversation,
      (state: ConversationState | null) =>
        state?.messageIds.has(messageId)
          ? []
          : startConversation(state, {
              tags,
              conversationId,
              authorId,
              recipientIds: recipients,
              subject: message.subject,
              body: message.body,
              mediaComment: message.mediaComment,
              privateHash,
              contextCode: message.contextCode,
              messageId,
              createdAt: message.createdAt,
            }),
      ctx,
    );
    return { conversationId, messageId, position: result?.position ?? null };
  }

  /** Reuses the private conversation of this participant set, or claims and starts one. */
  async sendPrivate(
    authorId: string,
    recipientId: string,
    message: OutgoingMessage,
    ctx: CommandContext,
    given: WriteIds = {},
  ): Promise<Written> {
    const participants = [authorId, recipientId];
    const [kind, id] = message.contextCode?.split('_') ?? [];
    const contextual =
      kind && id ? privateHashOf(participants, { type: CONTEXT_CLASS[kind]!, id }) : null;
    const plain = privateHashOf(participants);

    for (let attempt = 0; attempt < 3; attempt++) {
      const existing =
        (contextual && (await this.claimedConversation(contextual))) ||
        (await this.claimedConversation(plain, message.contextCode ?? null));
      if (existing) return this.reply(existing, authorId, recipientId, message, ctx, given);

      const hash = contextual ?? plain;
      const conversationId = given.conversationId ?? this.ids.next();
      const claim: PrivateConversationClaimed = {
        type: 'PrivateConversationClaimed',
        data: { privateHash: hash, conversationId },
      };
      try {
        await this.store.append(
          streams.privateConversation(hash),
          [toEventData(claim, ctx, new Date())],
          {
            expectedRevision: 'no_stream',
          },
        );
      } catch (err) {
        if (err instanceof WrongExpectedVersionError) continue; // someone else claimed it: reuse
        throw err;
      }
      return this.startNew(authorId, [recipientId], hash, message, ctx, {
        conversationId,
        messageId: given.messageId,
      });
    }
    throw new Error('private conversation claim kept conflicting');
  }

  /**
   * The conversation a private hash was claimed for. A plain (context-less) match is taken
   * only when its context agrees with the request's, as Canvas does.
   */
  private async claimedConversation(
    hash: string,
    contextCode?: string | null,
  ): Promise<{ conversationId: string; hash: string } | null> {
    for await (const event of this.store.readStream(streams.privateConversation(hash), {
      maxCount: 1,
    })) {
      const conversationId = (event.data as PrivateConversationClaimed['data']).conversationId;
      if (contextCode) {
        const { state } = await load(
          this.store,
          streams.conversation(conversationId),
          evolveConversation,
          { cache: this.cache },
        );
        if (state && state.contextCode !== contextCode) return null;
      }
      return { conversationId, hash };
    }
    return null;
  }

  /**
   * Adds the message to a claimed private conversation. A claim whose conversation was never
   * written (a crash between the two appends) is completed here with the claimed id.
   */
  private async reply(
    { conversationId, hash }: { conversationId: string; hash: string },
    authorId: string,
    recipientId: string,
    message: OutgoingMessage,
    ctx: CommandContext,
    given: WriteIds,
  ): Promise<Written> {
    const messageId = given.messageId ?? this.ids.next();
    const tags = await this.tagger.tagsFor(authorId, [recipientId], message.contextCode);
    const { result } = await execute(
      this.store,
      streams.conversation(conversationId),
      evolveConversation,
      (state: ConversationState | null) =>
        state?.messageIds.has(messageId)
          ? []
          : state
            ? addMessage(state, {
                tags,
                messageId,
                authorId,
                body: message.body,
                mediaComment: message.mediaComment,
                createdAt: message.createdAt,
                updateForSender: false,
              })
            : startConversation(null, {
                tags,
                conversationId,
                authorId,
                recipientIds: [recipientId],
                subject: message.subject,
                body: message.body,
                mediaComment: message.mediaComment,
                privateHash: hash,
                contextCode: message.contextCode,
                messageId,
                createdAt: message.createdAt,
              }),
      ctx,
      { cache: this.cache },
    );
    return { conversationId, messageId, position: result?.position ?? null };
  }
}
