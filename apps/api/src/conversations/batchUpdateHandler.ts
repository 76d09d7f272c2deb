import { Inject, Logger } from '@nestjs/common';
import { CommandBus, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import {
  IdGenerator,
  completeBatchUpdate,
  deleteParticipantView,
  evolveProgress,
  queueProgress,
  streams,
  updateParticipantView,
  type BatchUpdateEvent,
  type ParticipantViewEvent,
  type ProgressCompleted,
  type ProgressState,
} from '@missive/domain';
import type { EventStore } from '@missive/event-store';
import { ConversationQueries } from '@missive/read-models';
import type { CommandContext } from '@missive/event-store';
import { execute } from '@missive/event-store';
import { ReadYourWrites } from '../infrastructure/readYourWrites';
import { EVENT_STORE } from '../infrastructure/tokens';
import { ChangeParticipantViewsCommand } from './participantViewHandler';

export const BATCH_UPDATE_TAG = 'conversation_batch_update';

export class BatchUpdateConversationsCommand {
  constructor(
    readonly userId: string,
    readonly conversationIds: readonly string[],
    readonly event: BatchUpdateEvent,
    readonly ctx: CommandContext,
  ) {}
}

const STATE: Partial<Record<BatchUpdateEvent, 'read' | 'unread' | 'archived'>> = {
  mark_as_read: 'read',
  mark_as_unread: 'unread',
  archive: 'archived',
};

/**
 * PUT /api/v1/conversations: answers with a queued Progress at once, then runs the job in this
 * process. The job is not resumed after a crash (its Progress would stay queued); a durable
 * job runner arrives with the process managers of the delivery issue.
 */
@CommandHandler(BatchUpdateConversationsCommand)
export class BatchUpdateConversationsHandler implements ICommandHandler<
  BatchUpdateConversationsCommand,
  string
> {
  private readonly logger = new Logger('BatchUpdateConversations');

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly ids: IdGenerator,
    private readonly conversations: ConversationQueries,
    private readonly commands: CommandBus,
    private readonly readYourWrites: ReadYourWrites,
  ) {}

  async execute(cmd: BatchUpdateConversationsCommand): Promise<string> {
    const progressId = this.ids.next();
    const { result } = await execute(
      this.store,
      streams.progress(progressId),
      evolveProgress,
      (s) =>
        queueProgress(s, {
          progressId,
          userId: cmd.userId,
          tag: BATCH_UPDATE_TAG,
          createdAt: new Date().toISOString(),
        }),
      cmd.ctx,
    );
    await this.readYourWrites.waitFor('progress', result?.position);
    setImmediate(() => {
      this.run(progressId, cmd).catch((error: unknown) => this.logger.error(error));
    });
    return progressId;
  }

  private async run(progressId: string, cmd: BatchUpdateConversationsCommand): Promise<void> {
    const complete = (decide: (state: ProgressState | null) => ProgressCompleted[]) =>
      execute(this.store, streams.progress(progressId), evolveProgress, decide, cmd.ctx);
    try {
      const ids = [...new Set(cmd.conversationIds)];
      const views = await this.conversations.findForUser(cmd.userId, ids);
      const mine = new Map(views.map((v) => [v.id, v]));
      const at = new Date().toISOString();
      const events: ParticipantViewEvent[] = views.flatMap((view) => {
        const change = { conversationId: view.id, userId: cmd.userId, at };
        if (cmd.event === 'destroy') return deleteParticipantView(change);
        return updateParticipantView({
          ...change,
          private: view.private,
          workflowState: STATE[cmd.event],
          starred: cmd.event === 'star' ? true : cmd.event === 'unstar' ? false : undefined,
        });
      });
      if (events.length > 0)
        await this.commands.execute(new ChangeParticipantViewsCommand(events, cmd.ctx));
      await complete((state) =>
        completeBatchUpdate(state, {
          processed: views.length,
          notParticipating: ids.filter((id) => !mine.has(id)),
          at,
        }),
      );
    } catch (error) {
      await complete(
        (state) =>
          [
            {
              type: 'ProgressCompleted',
              data: {
                progressId,
                workflowState: 'failed',
                message: String(error),
                at: new Date().toISOString(),
              },
            },
          ].filter(() => state !== null && !state.done) as ProgressCompleted[],
      );
    }
  }
}
