import type { SendMailOptions } from 'nodemailer';
import type { OutgoingMessage } from './transport';

/**
 * The SMTP Message-ID of an outbound message. It derives from the outbound id, so a resend
 * after a crash mid-attempt carries the same id and receivers can tell it is the same message.
 */
export function smtpMessageIdOf(outboundId: string): string {
  return `<${outboundId}@missive>`;
}

/** One email, the same for the SMTP relay and the sandbox's .eml copy. */
export function mailOptionsOf(message: OutgoingMessage): SendMailOptions {
  return {
    from: message.fromName ? { name: message.fromName, address: message.from } : message.from,
    to: message.to,
    ...(message.replyTo ? { replyTo: message.replyTo } : {}),
    subject: message.subject ?? '',
    text: message.body,
    ...(message.htmlBody ? { html: message.htmlBody } : {}),
    messageId: smtpMessageIdOf(message.outboundId),
    headers: { 'X-Missive-Outbound-Id': message.outboundId },
  };
}
