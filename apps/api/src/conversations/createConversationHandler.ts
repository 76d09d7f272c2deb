import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import {
  DomainError,
  IdGenerator,
  claimConversationBatch,
  evolveConversationBatch,
  startConversationBatch,
  startConversation,
  streams,
} from '@missive/domain';
import { comparePositions, type EventStore, type Position } from '@missive/event-store';
import { execute } from '@missive/command-handling';
import type { CommandContext } from '@missive/command-handling';
import { DirectoryQueries } from '@missive/read-models';
import { logHead } from '../infrastructure/logHead';
import { ReadYourWrites } from '../infrastructure/readYourWrites';
import { crashPoint } from '../operability/crashPoint';
import { EVENT_STORE } from '../infrastructure/tokens';
import { JobRunner, type JobLeaseSettings } from '../jobs/jobRunner';
import { JOB_LEASE } from '../jobs/jobTokens';
import { ConversationBatchJob } from './conversationBatchJob';
import { freshIds, type IdSource } from '../idempotency/requestIds';
import { ConversationWriter, type OutgoingMessage, type WriteIds } from './conversationWriter';
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
  /** Ids of what it creates; fresh ones by default (see requestIds: an Idempotency-Key). */
  ids?: IdSource;
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

/**
 * Canvas's create: checks in Canvas's order, then the single
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
    private readonly directory: DirectoryQueries,
    private readonly readYourWrites: ReadYourWrites,
    private readonly writer: ConversationWriter,
    private readonly jobs: JobRunner,
    private readonly job: ConversationBatchJob,
    @Inject(JOB_LEASE) private readonly lease: JobLeaseSettings,
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
    const message: OutgoingMessage = {
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

    const source = params.ids ?? freshIds(this.ids);
    if ((batchPrivate || batchGroup) && params.async) {
      const [batchId] = await source.take(1);
      await this.startBatch(batchId!, params.authorId, recipients, batchGroup, message, ctx);
      return { conversationIds: [], messageIds: new Map(), batch: true, batchId };
    }

    // Every id fixed before the first write: a retry of this request (same Idempotency-Key)
    // writes under the same ones, so what a killed attempt wrote is found, not written again.
    const batch = batchPrivate || batchGroup;
    const fixed = await source.take(batch ? 2 * recipients.length : 2);
    const idsAt = (i: number): WriteIds => ({
      conversationId: fixed[2 * i]!,
      messageId: fixed[2 * i + 1]!,
    });
    const written: { conversationId: string; messageId: string; position: Position | null }[] = [];
    if (batch) {
      for (const [i, recipient] of recipients.entries()) {
        written.push(
          batchGroup
            ? await this.writer.startNew(params.authorId, [recipient], null, message, ctx, idsAt(i))
            : await this.writer.sendPrivate(params.authorId, recipient, message, ctx, idsAt(i)),
        );
        crashPoint('conversation-create:batch-conversation-written');
      }
    } else if (params.groupConversation) {
      written.push(
        await this.writer.startNew(params.authorId, recipients, null, message, ctx, idsAt(0)),
      );
    } else {
      written.push(
        await this.writer.sendPrivate(params.authorId, recipients[0]!, message, ctx, idsAt(0)),
      );
    }
    crashPoint('conversation-create:written');

    let last = written
      .map((w) => w.position)
      .reduce<Position | null>(
        (a, b) => (!a ? b : !b ? a : comparePositions(a, b) >= 0 ? a : b),
        null,
      );
    // A write found already done (a retry of a killed attempt): see logHead.
    if (written.some((w) => w.position === null)) last = (await logHead(this.store)) ?? last;
    await this.readYourWrites.waitFor('conversations', last);
    return {
      conversationIds: written.map((w) => w.conversationId),
      messageIds: new Map(written.map((w) => [w.conversationId, w.messageId])),
      batch: batchPrivate || batchGroup,
    };
  }

  /**
   * mode=async: records the batch (its recipients and message) with this process's claim on
   * it in one append, answers, then sends it here (ConversationBatchJob). Should this process
   * die, any API process's job runner finishes the batch once the claim's lease runs out.
   */
  private async startBatch(
    batchId: string,
    authorId: string,
    recipients: string[],
    group: boolean,
    message: OutgoingMessage,
    ctx: CommandContext,
  ): Promise<void> {
    let resumed = false;
    const { result } = await execute(
      this.store,
      streams.conversationBatch(batchId),
      evolveConversationBatch,
      (s) => {
        // A retry of a request killed after it recorded the batch: the batch goes on as it
        // is, its claim left to run out for a job runner to take over.
        if (s) {
          resumed = true;
          return [];
        }
        const started = startConversationBatch(s, {
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
          rootMessageId: this.ids.next(),
          resumable: true,
        });
        const claim = {
          runner: this.lease.runner,
          leaseMs: this.lease.leaseMs,
          now: this.lease.now(),
        };
        return [
          ...started,
          ...claimConversationBatch(evolveConversationBatch(s, started[0]!), claim),
        ];
      },
      ctx,
    );
    await this.readYourWrites.waitFor('conversation-batches', result?.position);
    if (!resumed) setImmediate(() => void this.jobs.run(this.job, batchId, { claimed: true }));
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
}
