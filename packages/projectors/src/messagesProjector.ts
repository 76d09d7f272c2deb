import { startProjections, type Projection, type RunningProjections } from '@missive/projections';
import { commsProjection, outboundMessagesProjection, startCommsPurge } from '@missive/read-models';

/**
 * The read models its projector process builds: outbound messages, as the Canvas CommMessages list and the
 * delivery webhook read them. The Comms API's read models join this list.
 */
export const messagesProjectorProjections: readonly Projection[] = [
  outboundMessagesProjection,
  commsProjection,
];

export type MessagesProjector = RunningProjections;

export async function startMessagesProjector(
  options: Parameters<typeof startProjections>[1],
): Promise<MessagesProjector> {
  const running = await startProjections(messagesProjectorProjections, options);
  // Comms retention: expired rows are already hidden from reads; this reclaims their space.
  const purge = startCommsPurge(options.db, {
    onError: (error) => options.logger?.warn('comms purge failed', { error: String(error) }),
  });
  return {
    runners: running.runners,
    stop: async () => {
      await purge.stop();
      await running.stop();
    },
  };
}
