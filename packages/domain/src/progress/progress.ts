import { DomainError } from '../shared/domainError';
import type { ProgressCompleted, ProgressEvent, ProgressQueued } from './progressEvents';

export interface ProgressState {
  readonly progressId: string;
  readonly done: boolean;
}

export function evolveProgress(
  state: ProgressState | null,
  event: ProgressEvent,
): ProgressState | null {
  switch (event.type) {
    case 'ProgressQueued':
      return { progressId: event.data.progressId, done: false };
    case 'ProgressCompleted':
      return state && { ...state, done: true };
  }
}

export function queueProgress(
  state: ProgressState | null,
  cmd: { progressId: string; userId: string; tag: string; createdAt: string },
): ProgressQueued[] {
  if (state) throw new DomainError('conflict', 'progress', 'progress already exists');
  return [{ type: 'ProgressQueued', data: { ...cmd } }];
}

export const BATCH_UPDATE_EVENTS = [
  'mark_as_read',
  'mark_as_unread',
  'star',
  'unstar',
  'archive',
  'destroy',
] as const;
export type BatchUpdateEvent = (typeof BATCH_UPDATE_EVENTS)[number];

/**
 * Ends a conversation batch update the way Canvas words it: `N conversations processed`, a
 * note per id the user is not in, and `failed` when nothing succeeded.
 */
export function completeBatchUpdate(
  state: ProgressState | null,
  cmd: { processed: number; notParticipating: readonly string[]; at: string },
): ProgressCompleted[] {
  if (!state)
    throw new DomainError('not_found', 'progress', 'The specified resource does not exist.');
  if (state.done) return [];
  const notes = cmd.notParticipating.map(
    (id) => `Error updating conversation ${id}: not participating`,
  );
  return [
    {
      type: 'ProgressCompleted',
      data: {
        progressId: state.progressId,
        workflowState: cmd.processed > 0 ? 'completed' : 'failed',
        message: [`${cmd.processed} conversations processed`, ...notes].join('\n'),
        at: cmd.at,
      },
    },
  ];
}
