import {
  advanceBatchUpdate,
  claimProgress,
  deleteParticipantView,
  derivedEventId,
  evolveProgress,
  finishBatchUpdate,
  streams,
  updateParticipantView,
  type BatchUpdateAction,
  type ParticipantViewEvent,
  type ProgressQueued,
} from '@missive/domain';
import {
  WrongExpectedVersionError,
  comparePositions,
  type EventStore,
  type ExpectedRevision,
  type Position,
} from '@missive/event-store';
import { load, toEventData, type CommandContext } from '@missive/command-handling';
import type { ConversationQueries, ProgressQueries } from '@missive/read-models';
import { jobContext } from '../jobs/jobContext';
import { jobStart } from '../jobs/jobStart';
import { leasedJobStream } from '../jobs/leasedJobStream';
import type { DurableJob, JobLeaseSettings } from '../jobs/jobRunner';

/** Conversations per recorded step: the Progress `completion` moves once per step. */
export const BATCH_UPDATE_STEP = 50;

const STATE: Partial<Record<BatchUpdateAction, 'read' | 'unread' | 'archived'>> = {
  mark_as_read: 'read',
  mark_as_unread: 'unread',
  archive: 'archived',
};

export interface BatchUpdateJobOptions {
  readonly store: EventStore;
  readonly conversations: ConversationQueries;
  readonly progress: ProgressQueries;
  readonly lease: JobLeaseSettings;
  /**
   * Resolves once the conversations read model has passed this position, so a client that
   * sees the Progress completed sees its conversations changed too.
   */
  readonly waitForConversations: (position: Position | null) => Promise<void>;
  readonly stepSize?: number;
}

type Outcome = { processed: true; position: Position | null } | { processed: false };

/**
 * `PUT /api/v1/conversations` as a durable job: the Progress stream holds the request (ids and
 * action), a lease naming the runner, and one `ProgressAdvanced` per step of conversations.
 * A step's participant-view events carry ids derived from the Progress and the conversation,
 * and each is appended only if the stream does not hold it yet, at the revision that check
 * read: a step repeated after a crash, or by a second runner, writes nothing twice.
 */
export class BatchUpdateJob implements DurableJob {
  readonly name = 'batch-update';

  constructor(private readonly options: BatchUpdateJobOptions) {}

  unfinished(limit: number): Promise<string[]> {
    return this.options.progress.unfinishedIds(limit);
  }

  async resume(progressId: string, { claimed = false } = {}): Promise<void> {
    const { store, lease } = this.options;
    const stream = streams.progress(progressId);
    const start = await jobStart(store, stream, 'ProgressQueued');
    if (!start) return;
    const ctx = jobContext(start);
    const userId = (start.data as ProgressQueued['data']).userId;
    const { record, claim, run } = leasedJobStream({
      store,
      stream,
      evolve: evolveProgress,
      ctx,
      lease,
      claim: claimProgress,
    });

    await run(async () => {
      if (!claimed) await claim(false);
      for (;;) {
        const { state } = await load(store, stream, evolveProgress);
        if (!state || state.done || state.lease?.runner !== lease.runner || !state.batchUpdate) {
          return;
        }
        const { conversationIds, event } = state.batchUpdate;
        const at = lease.now().toISOString();
        if (state.offset >= conversationIds.length) {
          await record((s) => finishBatchUpdate(s, { runner: lease.runner, at }));
          return;
        }
        if (Date.parse(state.lease.until) - lease.now().getTime() < lease.leaseMs / 2) {
          await claim(true);
        }
        const ids = conversationIds.slice(
          state.offset,
          state.offset + (this.options.stepSize ?? BATCH_UPDATE_STEP),
        );
        const outcomes = await this.step(progressId, userId, event, ids, ctx);
        await this.options.waitForConversations(latest(outcomes));
        const offset = state.offset;
        await record((s) =>
          advanceBatchUpdate(s, {
            runner: lease.runner,
            offset,
            count: ids.length,
            processed: outcomes.filter((o) => o.processed).length,
            notParticipating: ids.filter((_, i) => !outcomes[i]!.processed),
            at,
          }),
        );
      }
    });
  }

  private async step(
    progressId: string,
    userId: string,
    action: BatchUpdateAction,
    ids: readonly string[],
    ctx: CommandContext,
  ): Promise<Outcome[]> {
    const views = new Map(
      (await this.options.conversations.findForUser(userId, ids)).map((v) => [v.id, v]),
    );
    return Promise.all(
      ids.map(async (conversationId): Promise<Outcome> => {
        const stream = streams.participant(conversationId, userId);
        const eventId = (index: number) => derivedEventId(progressId, conversationId, `${index}`);
        for (;;) {
          const { done, revision } = await holds(this.options.store, stream, eventId(0));
          // Done by an earlier run: the view may since be gone (destroy), but it was the user's.
          if (done) return { processed: true, position: null };
          const view = views.get(conversationId);
          if (!view) return { processed: false };
          const change = { conversationId, userId, at: this.options.lease.now().toISOString() };
          const events: ParticipantViewEvent[] =
            action === 'destroy'
              ? deleteParticipantView(change)
              : updateParticipantView({
                  ...change,
                  private: view.private,
                  workflowState: STATE[action],
                  starred: action === 'star' ? true : action === 'unstar' ? false : undefined,
                });
          const now = this.options.lease.now();
          const data = events.map((e, i) => {
            const base = toEventData(e, ctx, now);
            return { ...base, id: eventId(i), metadata: { ...base.metadata, eventId: eventId(i) } };
          });
          try {
            const result = await this.options.store.append(stream, data, {
              expectedRevision: revision,
            });
            return { processed: true, position: result.position };
          } catch (error) {
            if (!(error instanceof WrongExpectedVersionError)) throw error;
            // The user (or another runner) wrote meanwhile: look again.
          }
        }
      }),
    );
  }
}

/** Whether the stream holds the event, and the revision the next append must expect. */
async function holds(
  store: EventStore,
  stream: string,
  eventId: string,
): Promise<{ done: boolean; revision: ExpectedRevision }> {
  let revision: ExpectedRevision = 'no_stream';
  for await (const event of store.readStream(stream)) {
    if (event.id === eventId) return { done: true, revision: event.revision };
    revision = event.revision;
  }
  return { done: false, revision };
}

function latest(outcomes: readonly Outcome[]): Position | null {
  return outcomes.reduce<Position | null>((a, o) => {
    const b = o.processed ? o.position : null;
    return !a ? b : !b ? a : comparePositions(b, a) > 0 ? b : a;
  }, null);
}
