import { commMessageWorkflowState } from '@missive/domain';
import type { OutboundMessageRecord } from '@missive/read-models';
import { canvasTime } from '../http/canvasTime';

/** Canvas CommMessage JSON (message.rb `as_json`): exactly these fields, `id` a number. */
export function commMessageJson(message: OutboundMessageRecord) {
  return {
    id: Number(message.messageId),
    created_at: canvasTime(message.createdAt),
    sent_at: canvasTime(message.sentAt),
    workflow_state: commMessageWorkflowState(message.state),
    from: message.from,
    from_name: message.fromName,
    to: message.to,
    reply_to: message.replyTo,
    subject: message.subject,
    body: message.body,
    html_body: message.htmlBody,
  };
}
