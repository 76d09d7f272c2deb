import {
  DomainError,
  type IdGenerator,
  advanceConversationBatch,
  claimConversationBatch,
  completeConversationBatch,
  evolveConversationBatch,
  finishConversationBatch,
  planConversationBatchStep,
  streams,
  type ConversationBatchStarted,
} from '@missive/domain';
import { comparePositions, type EventStore, type Position } from '@missive/event-store';
import { load } from '@missive/command-handling';
import type { ConversationBatchQueries } from '@missive/read-models';
import { jobContext } from '../jobs/jobContext';
import { jobStart } from '../jobs/jobStart';
import { leasedJobStream } from '../jobs/leasedJobStream';
import type { DurableJob, JobLeaseSettings } from '../jobs/jobRunner';
import type { ConversationWriter, OutgoingMessage, Written } from './conversationWriter';

/** Recipients per recorded step. */
export const CONVERSATION_BATCH_STEP = 20;

export interface ConversationBatchJobOptions {
  readonly store: EventStore;
  readonly ids: IdGenerator;
  readonly writer: ConversationWriter;
  readonly batches: ConversationBatchQueries;
  readonly lease: JobLeaseSettings;
  /** Resolves once the conversations read model has passed this position (best effort). */
  readonly waitForConversations: (position: Position | null) => Promise<void>;
  readonly stepSize?: number;
}

/**
 * `POST /api/v1/conversations` with `mode=async` as a durable job. The batch's start event
 * holds the recipients and the message; a runner holding the batch's lease fixes the ids of
 * each step's conversations and messages in the batch stream before writing them, then
 * records the step done. A step repeated after a crash (or by a runner that took over) writes
 * under the same ids, and a conversation that already holds its message id is left alone, so
 * no recipient gets the message twice.
 */
export class ConversationBatchJob implements DurableJob {
  readonly name = 'conversation-batch';

  constructor(private readonly options: ConversationBatchJobOptions) {}

  unfinished(limit: number): Promise<string[]> {
    return this.options.batches.unfinishedIds(limit);
  }

  async resume(batchId: string, { claimed = false } = {}): Promise<void> {
    const { store, lease } = this.options;
    const stream = streams.conversationBatch(batchId);
    const start = await jobStart(store, stream, 'ConversationBatchStarted');
    if (!start) return;
    const batch = start.data as ConversationBatchStarted['data'];
    const ctx = jobContext(start);
    const { record, claim, run } = leasedJobStream({
      store,
      stream,
      evolve: evolveConversationBatch,
      ctx,
      lease,
      claim: claimConversationBatch,
    });
    const message: OutgoingMessage = {
      body: batch.body,
      mediaComment: batch.mediaComment,
      subject: batch.subject,
      contextCode: batch.contextCode,
      createdAt: batch.createdAt,
    };

    await run(async () => {
      if (!claimed) await claim(false);
      for (;;) {
        let { state } = await load(store, stream, evolveConversationBatch);
        if (!state || state.finished || state.lease?.runner !== lease.runner) return;
        const at = lease.now().toISOString();
        if (state.offset >= state.recipientIds.length) {
          await record((s) => completeConversationBatch(s, { runner: lease.runner, at }));
          return;
        }
        if (Date.parse(state.lease.until) - lease.now().getTime() < lease.leaseMs / 2) {
          await claim(true);
        }
        if (!state.planned) {
          const offset = state.offset;
          const size = Math.min(
            this.options.stepSize ?? CONVERSATION_BATCH_STEP,
            state.recipientIds.length - offset,
          );
          const ids = Array.from({ length: size }, () => ({
            conversationId: this.options.ids.next(),
            messageId: this.options.ids.next(),
          }));
          await record((s) => planConversationBatchStep(s, { runner: lease.runner, offset, ids }));
          state = (await load(store, stream, evolveConversationBatch)).state!;
          if (!state.planned || state.lease?.runner !== lease.runner) return;
        }
        const planned = state.planned!;
        const written: Written[] = [];
        try {
          for (const [i, ids] of planned.ids.entries()) {
            const recipient = state.recipientIds[planned.offset + i]!;
            written.push(
              batch.group
                ? await this.options.writer.startNew(
                    batch.userId,
                    [recipient],
                    null,
                    message,
                    ctx,
                    ids,
                  )
                : await this.options.writer.sendPrivate(batch.userId, recipient, message, ctx, ids),
            );
          }
        } catch (error) {
          // A recipient the domain refuses would be refused on every attempt: the batch ends.
          if (!(error instanceof DomainError) || error.kind === 'conflict') throw error;
          const sent = [...state.conversationIds, ...written.map((w) => w.conversationId)];
          await record((s) =>
            finishConversationBatch(s, {
              workflowState: 'error',
              conversationIds: sent,
              at,
              runner: lease.runner,
            }),
          );
          return;
        }
        await this.options.waitForConversations(latest(written));
        await record((s) =>
          advanceConversationBatch(s, {
            runner: lease.runner,
            offset: planned.offset,
            conversationIds: written.map((w) => w.conversationId),
            at,
          }),
        );
      }
    });
  }
}

function latest(written: readonly Written[]): Position | null {
  return written.reduce<Position | null>((a, w) => {
    const b = w.position;
    return !a ? b : !b ? a : comparePositions(b, a) > 0 ? b : a;
  }, null);
}
