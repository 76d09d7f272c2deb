import type { ChannelRecord } from '@missive/read-models';
import { canvasTime } from '../http/canvasTime';

/** Canvas shows a label, not the device token, as a push channel's address. */
export const PUSH_ADDRESS_LABEL = 'For All Devices';

/** Canvas CommunicationChannel JSON, with the bounce fields the seed page shows. */
export function channelJson(channel: ChannelRecord) {
  return {
    id: Number(channel.id),
    address: channel.type === 'push' ? PUSH_ADDRESS_LABEL : channel.address,
    type: channel.type,
    position: channel.position,
    user_id: Number(channel.userId),
    bounce_count: channel.bounceCount,
    last_bounce_at: canvasTime(channel.lastBounceAt),
    workflow_state: channel.workflowState,
    created_at: canvasTime(channel.createdAt),
  };
}
