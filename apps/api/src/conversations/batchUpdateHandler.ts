import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import {
  IdGenerator,
  claimProgress,
  evolveProgress,
  queueProgress,
  streams,
  type BatchUpdateEvent,
} from '@missive/domain';
import type { EventStore } from '@missive/event-store';
import type { CommandContext } from '@missive/command-handling';
import { execute } from '@missive/command-handling';
import { ProgressQueries, type ProgressRecord } from '@missive/read-models';
import { ReadYourWrites } from '../infrastructure/readYourWrites';
import { EVENT_STORE } from '../infrastructure/tokens';
import { JOB_LEASE } from '../jobs/jobTokens';
import { JobRunner, type JobLeaseSettings } from '../jobs/jobRunner';
import { BatchUpdateJob } from './batchUpdateJob';

export const BATCH_UPDATE_TAG = 'conversation_batch_update';

export class BatchUpdateConversationsCommand {
  constructor(
    readonly userId: string,
    readonly conversationIds: readonly string[],
    readonly event: BatchUpdateEvent,
    readonly ctx: CommandContext,
  ) {}
}

/**
 * PUT /api/v1/conversations: records the job (its ids and action) with this process's claim
 * on it in one append, answers with the queued Progress, then runs it here. Should this
 * process die, any API process's job runner takes the job up once the claim's lease runs out
 * (see BatchUpdateJob).
 */
@CommandHandler(BatchUpdateConversationsCommand)
export class BatchUpdateConversationsHandler implements ICommandHandler<
  BatchUpdateConversationsCommand,
  ProgressRecord
> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly ids: IdGenerator,
    private readonly readYourWrites: ReadYourWrites,
    private readonly jobs: JobRunner,
    private readonly job: BatchUpdateJob,
    @Inject(JOB_LEASE) private readonly lease: JobLeaseSettings,
    private readonly progress: ProgressQueries,
  ) {}

  async execute(cmd: BatchUpdateConversationsCommand): Promise<ProgressRecord> {
    const progressId = this.ids.next();
    const now = this.lease.now();
    const { result } = await execute(
      this.store,
      streams.progress(progressId),
      evolveProgress,
      (s) => {
        const queued = queueProgress(s, {
          progressId,
          userId: cmd.userId,
          tag: BATCH_UPDATE_TAG,
          createdAt: now.toISOString(),
          batchUpdate: { conversationIds: cmd.conversationIds, event: cmd.event },
        });
        const claim = { runner: this.lease.runner, leaseMs: this.lease.leaseMs, now };
        return [...queued, ...claimProgress(evolveProgress(s, queued[0]!), claim)];
      },
      cmd.ctx,
    );
    await this.readYourWrites.waitFor('progress', result?.position);
    const queued = (await this.progress.find(progressId))!;
    // After this answer is on its way: the client is shown the Progress still queued.
    setImmediate(() => void this.jobs.run(this.job, progressId, { claimed: true }));
    return queued;
  }
}
