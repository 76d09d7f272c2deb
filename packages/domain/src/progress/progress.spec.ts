import { spec } from '../testing/givenWhenThen';
import { completeBatchUpdate, evolveProgress, queueProgress, type ProgressState } from './progress';
import type { ProgressEvent, ProgressQueued } from './progressEvents';

const at = '2026-01-01T00:00:00.000Z';
const progress = spec<ProgressState, ProgressEvent>(evolveProgress);
const queued: ProgressQueued = {
  type: 'ProgressQueued',
  data: { progressId: '9', userId: '2', tag: 'conversation_batch_update', createdAt: at },
};

describe('Progress', () => {
  it('is queued once', () => {
    progress
      .given()
      .when((s) => queueProgress(s, queued.data))
      .then([queued]);
    progress
      .given(queued)
      .when((s) => queueProgress(s, queued.data))
      .thenThrows({ kind: 'conflict' });
  });

  it('completes with the processed count and a note per skipped id', () => {
    progress
      .given(queued)
      .when((s) => completeBatchUpdate(s, { processed: 2, notParticipating: ['7'], at }))
      .then([
        {
          type: 'ProgressCompleted',
          data: {
            progressId: '9',
            workflowState: 'completed',
            message: '2 conversations processed\nError updating conversation 7: not participating',
            at,
          },
        },
      ]);
  });

  it('fails when nothing succeeded, and completes only once', () => {
    const [done] = completeBatchUpdate(evolveProgress(null, queued), {
      processed: 0,
      notParticipating: ['7'],
      at,
    });
    expect(done!.data.workflowState).toBe('failed');
    progress
      .given(queued, done!)
      .when((s) => completeBatchUpdate(s, { processed: 1, notParticipating: [], at }))
      .then([]);
  });
});
