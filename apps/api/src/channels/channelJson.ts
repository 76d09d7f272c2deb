import type { ChannelRecord } from '@missive/read-models';
import { canvasTime } from '../http/canvasTime';

/** Canvas shows a label, not the device token, as a push channel's address. */
export const PUSH_ADDRESS_LABEL = 'For All Devices';

/**
 * Canvas CommunicationChannel JSON. The bounce details are for viewers with Canvas's
 * `:read_bounce_details` (site admins); the channel's owner does not see them. The summary is
 * the provider's reason for the last permanent bounce. Missive counts permanent bounces only,
 * so an admin sees the transient and suppression times and the transient summary as null, as
 * Canvas shows a channel that never had such a bounce.
 */
export function channelJson(channel: ChannelRecord, readBounceDetails = false) {
  return {
    id: Number(channel.id),
    address: channel.type === 'push' ? PUSH_ADDRESS_LABEL : channel.address,
    type: channel.type,
    position: channel.position,
    user_id: Number(channel.userId),
    ...(readBounceDetails
      ? {
          bounce_count: channel.bounceCount,
          last_bounce_at: canvasTime(channel.lastBounceAt),
          last_bounce_summary: channel.lastBounceSummary,
          last_suppression_bounce_at: null,
          last_transient_bounce_at: null,
          last_transient_bounce_summary: null,
        }
      : {}),
    workflow_state: channel.workflowState,
    created_at: canvasTime(channel.createdAt),
  };
}
