import { startProjections, type Projection, type RunningProjections } from '@missive/projections';
import { channelsProjection, directoryProjection } from '@missive/read-models';

/** The read models its projector process builds: the directory (courses, groups) and users' channels. */
export const channelsProjectorProjections: readonly Projection[] = [
  directoryProjection,
  channelsProjection,
];

export type ChannelsProjector = RunningProjections;

export function startChannelsProjector(
  options: Parameters<typeof startProjections>[1],
): Promise<ChannelsProjector> {
  return startProjections(channelsProjectorProjections, options);
}
