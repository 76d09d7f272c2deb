import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import {
  DomainError,
  IdGenerator,
  addMessage,
  evolveConversation,
  evolveConversationBatch,
  finishConversationBatch,
  privateHashOf,
  startConversationBatch,
  startConversation,
  streams,
  type ConversationState,
  type PrivateConversationClaimed,
} from '@missive/domain';
import {
  AggregateCache,
  WrongExpectedVersionError,
  comparePositions,
  type EventStore,
  type Position,
} from '@missive/event-store';
import type { CommandContext } from '@missive/event-store';
import { execute, load, toEventData } from '@missive/event-store';
import { ReadYourWrites } from '../infrastructure/readYourWrites';
import { EVENT_STORE } from '../infrastructure/tokens';
import { DirectoryQueries } from '@missive/read-models';
import { ContextTagger } from './contextTagger';
import { RecipientResolver } from './recipientResolver';

export interface CreateConversationParams {
  authorId: string;
  /** Site admins may message anyone; others only users they share a course or group with. */
  authorIsAdmin: boolean;
  recipients: string[] | undefined;
  subject?: string;
  body?: string;
  groupConversation: boolean;
  bulkMessage: boolean;
  forceNew: boolean;
  contextCode?: string;
  mediaComment?: { mediaId: string; mediaType: string } | null;
  /** `mode=async`: on the batch path, answer at once and send in the background. */
  async?: boolean;
}

export class CreateConversationCommand {
  constructor(
    readonly params: CreateConversationParams,
    readonly ctx: CommandContext,
  ) {}
}

export interface CreatedConversations {
  /** Conversation ids in the order they were written. */
  conversationIds: string[];
  /** The new message in each conversation. */
  messageIds: Map<string, string>;
  /** True for the batch paths (one conversation per recipient). */
  batch: boolean;
  /** Set when the batch runs asynchronously: nothing is written yet but the batch. */
  batchId?: string;
}

interface Message {
  body: string;
  mediaComment: { mediaId: string; mediaType: string } | null;
  subject: string | null;
  contextCode: string | null;
  createdAt: string;
}

const CONTEXT_CLASS: Record<string, string> = { course: 'Course', group: 'Group' };

/**
 * Canvas's create (specs/canvas-api.md §1.3–§1.4): checks in Canvas's order, then the single
 * path (one private or group conversation) or the batch path (one per recipient).
 */
@CommandHandler(CreateConversationCommand)
export class CreateConversationHandler implements ICommandHandler<
  CreateConversationCommand,
  CreatedConversations
> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly ids: IdGenerator,
    private readonly recipients: RecipientResolver,
    private readonly tagger: ContextTagger,
    private readonly directory: DirectoryQueries,
    private readonly readYourWrites: ReadYourWrites,
    private readonly cache: AggregateCache,
  ) {}

  async execute({ params, ctx }: CreateConversationCommand): Promise<CreatedConversations> {
    if (!params.recipients || params.recipients.length === 0) {
      throw new DomainError('invalid', 'recipients', 'blank');
    }
    const author = { id: params.authorId, siteAdmin: params.authorIsAdmin };
    const { userIds: recipients, restricted } = await this.recipients.resolveWithRoles(
      author,
      params.recipients,
    );
    if (recipients.length === 0) throw new DomainError('invalid', 'recipients', 'invalid');
    if (!(params.body ?? '').trim()) throw new DomainError('invalid', 'body', 'blank');
    if (params.contextCode && !(await this.belongsTo(author, params.contextCode))) {
      throw new DomainError('invalid', 'context_code', 'invalid');
    }
    if (restricted) throw new DomainError('invalid', 'recipients', 'restricted by role');

    const batchPrivate = !params.groupConversation && recipients.length > 1;
    const batchGroup = (params.groupConversation && params.bulkMessage) || params.forceNew;
    const message: Message = {
      body: params.body ?? '',
      mediaComment: params.mediaComment ?? null,
      subject: params.subject ?? null,
      contextCode: params.contextCode ?? null,
      createdAt: new Date().toISOString(),
    };
    // Dry run of the domain rules over the whole request, so a refusal writes nothing. On the
    // batch path each conversation has one recipient, so the size limit does not apply there.
    startConversation(null, {
      conversationId: '0',
      authorId: params.authorId,
      recipientIds: batchGroup ? recipients.slice(0, 1) : recipients,
      subject: message.subject,
      body: message.body,
      privateHash: null,
      messageId: '0',
      createdAt: message.createdAt,
    });

    if ((batchPrivate || batchGroup) && params.async) {
      const batchId = await this.startBatch(params.authorId, recipients, batchGroup, message, ctx);
      return { conversationIds: [], messageIds: new Map(), batch: true, batchId };
    }

    const written: { conversationId: string; messageId: string; position: Position | null }[] = [];
    if (batchPrivate || batchGroup) {
      for (const recipient of recipients) {
        written.push(
          batchGroup
            ? await this.startNew(params.authorId, [recipient], null, message, ctx)
            : await this.sendPrivate(params.authorId, recipient, message, ctx),
        );
      }
    } else if (params.groupConversation) {
      written.push(await this.startNew(params.authorId, recipients, null, message, ctx));
    } else {
      written.push(await this.sendPrivate(params.authorId, recipients[0]!, message, ctx));
    }

    const last = written
      .map((w) => w.position)
      .reduce<Position | null>(
        (a, b) => (!a ? b : !b ? a : comparePositions(a, b) >= 0 ? a : b),
        null,
      );
    await this.readYourWrites.waitFor('conversations', last);
    return {
      conversationIds: written.map((w) => w.conversationId),
      messageIds: new Map(written.map((w) => [w.conversationId, w.messageId])),
      batch: batchPrivate || batchGroup,
    };
  }

  /**
   * mode=async: records the batch, then sends one conversation per recipient in this process.
   * Not resumed after a crash (the batch would stay `sending`); a durable runner comes with
   * the process managers of the delivery issue.
   */
  private async startBatch(
    authorId: string,
    recipients: string[],
    group: boolean,
    message: Message,
    ctx: CommandContext,
  ): Promise<string> {
    const batchId = this.ids.next();
    const { result } = await execute(
      this.store,
      streams.conversationBatch(batchId),
      evolveConversationBatch,
      (s) =>
        startConversationBatch(s, {
          batchId,
          userId: authorId,
          recipientIds: recipients,
          group,
          subject: message.subject,
          body: message.body,
          contextCode: message.contextCode,
          mediaComment: message.mediaComment,
          tags: message.contextCode ? [message.contextCode] : [],
          createdAt: message.createdAt,
        }),
      ctx,
    );
    await this.readYourWrites.waitFor('conversation-batches', result?.position);
    setImmediate(() => {
      void this.runBatch(batchId, authorId, recipients, group, message, ctx);
    });
    return batchId;
  }

  private async runBatch(
    batchId: string,
    authorId: string,
    recipients: string[],
    group: boolean,
    message: Message,
    ctx: CommandContext,
  ): Promise<void> {
    const conversationIds: string[] = [];
    let workflowState: 'sent' | 'error' = 'sent';
    try {
      for (const recipient of recipients) {
        const written = group
          ? await this.startNew(authorId, [recipient], null, message, ctx)
          : await this.sendPrivate(authorId, recipient, message, ctx);
        conversationIds.push(written.conversationId);
      }
    } catch {
      workflowState = 'error';
    }
    await execute(
      this.store,
      streams.conversationBatch(batchId),
      evolveConversationBatch,
      (s) =>
        finishConversationBatch(s, {
          workflowState,
          conversationIds,
          at: new Date().toISOString(),
        }),
      ctx,
    ).catch(() => undefined);
  }

  /** A context code names a course or group the author belongs to (site admins: any that exists). */
  private async belongsTo(
    author: { id: string; siteAdmin: boolean },
    contextCode: string,
  ): Promise<boolean> {
    const [kind, id] = contextCode.split('_') as [string, string];
    if (kind === 'course') {
      if (author.siteAdmin) return (await this.directory.course(id)) !== undefined;
      return ((await this.directory.enrollmentTypes(author.id, [id])).get(id) ?? []).length > 0;
    }
    if (author.siteAdmin) return (await this.directory.group(id)) !== undefined;
    return (await this.directory.memberOf(author.id, [id])).has(id);
  }

  private async startNew(
    authorId: string,
    recipients: string[],
    privateHash: string | null,
    message: Message,
    ctx: CommandContext,
    conversationId: string = this.ids.next(),
  ) {
    const messageId = this.ids.next();
    const tags = await this.tagger.tagsFor(authorId, recipients, message.contextCode);
    const { result } = await execute(
      this.store,
      streams.conversation(conversationId),
      evolveConversation,
      (state: ConversationState | null) =>
        startConversation(state, {
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
  private async sendPrivate(
    authorId: string,
    recipientId: string,
    message: Message,
    ctx: CommandContext,
  ) {
    const participants = [authorId, recipientId];
    const [kind, id] = message.contextCode?.split('_') ?? [];
    const contextual =
      kind && id ? privateHashOf(participants, { type: CONTEXT_CLASS[kind]!, id }) : null;
    const plain = privateHashOf(participants);

    for (let attempt = 0; attempt < 3; attempt++) {
      const existing =
        (contextual && (await this.claimedConversation(contextual))) ||
        (await this.claimedConversation(plain, message.contextCode ?? null));
      if (existing) return this.reply(existing, authorId, recipientId, message, ctx);

      const hash = contextual ?? plain;
      const conversationId = this.ids.next();
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
      return this.startNew(authorId, [recipientId], hash, message, ctx, conversationId);
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
    message: Message,
    ctx: CommandContext,
  ) {
    const messageId = this.ids.next();
    const tags = await this.tagger.tagsFor(authorId, [recipientId], message.contextCode);
    const { result } = await execute(
      this.store,
      streams.conversation(conversationId),
      evolveConversation,
      (state: ConversationState | null) =>
        state
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
