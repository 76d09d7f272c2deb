import { startProjections, type Projection, type RunningProjections } from '@missive/projections';
import {
  conversationBatchesProjection,
  conversationsProjection,
  progressProjection,
  usersProjection,
} from '@missive/read-models';

/** The read models its projector process builds: users (for names and tokens), the inbox, and Progress. */
export const conversationsProjectorProjections: readonly Projection[] = [
  usersProjection,
  conversationsProjection,
  progressProjection,
  conversationBatchesProjection,
];

export type ConversationsProjector = RunningProjections;

export function startConversationsProjector(
  options: Parameters<typeof startProjections>[1],
): Promise<ConversationsProjector> {
  return startProjections(conversationsProjectorProjections, options);
}
