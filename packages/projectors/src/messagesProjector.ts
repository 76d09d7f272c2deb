import { COMMS_RETENTION_MS } from '@missive/domain';
import { startProjections, type Projection, type RunningProjections } from '@missive/projections';
import {
  commsProjection,
  commsPurgeIntervalMs,
  outboundMessagesProjection,
  startCommsPurge,
  type CommsKeyEraser,
} from '@missive/read-models';

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
  options: Parameters<typeof startProjections>[1] & {
    /** Deletes the keys of Comms records whose retention ended (the protected event store). */
    keys: CommsKeyEraser;
    /** COMMS_RETENTION_SECONDS in ms: the purge looks as often, at most hourly. */
    commsRetentionMs?: number;
  },
): Promise<MessagesProjector> {
  const running = await startProjections(messagesProjectorProjections, options);
  // Comms retention: expired records are already hidden from reads; this deletes their keys
  // and their rows.
  const purge = startCommsPurge(options.db, options.keys, {
    intervalMs: commsPurgeIntervalMs(options.commsRetentionMs ?? COMMS_RETENTION_MS),
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
