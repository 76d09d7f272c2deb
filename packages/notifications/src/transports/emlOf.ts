import { randomBytes } from 'node:crypto';
import { smtpMessageIdOf } from './mailOptionsOf';
import type { OutgoingMessage } from './transport';

/**
 * The message as an RFC 5322 file a mail client opens (the sandbox's `.eml`). Built by hand:
 * composing it with nodemailer costs milliseconds per message, as much as the rest of a
 * sandbox delivery. Text goes as 8-bit UTF-8, non-ASCII header words as RFC 2047.
 */
export function emlOf(message: OutgoingMessage, date: Date): string {
  const headers = [
    `Message-ID: ${smtpMessageIdOf(message.outboundId)}`,
    `Date: ${date.toUTCString().replace('GMT', '+0000')}`,
    `From: ${message.fromName ? `${encodedWord(message.fromName, true)} ` : ''}<${message.from}>`,
    `To: ${message.to}`,
    ...(message.replyTo ? [`Reply-To: ${message.replyTo}`] : []),
    `Subject: ${encodedWord(message.subject ?? '', false)}`,
    `X-Missive-Outbound-Id: ${message.outboundId}`,
    'MIME-Version: 1.0',
  ];
  const text = part('text/plain', message.body);
  if (!message.htmlBody) return crlf([...headers, ...text].join('\n'));
  const boundary = `--missive-${randomBytes(8).toString('hex')}`;
  return crlf(
    [
      ...headers,
      `Content-Type: multipart/alternative; boundary="${boundary}"`,
      '',
      `--${boundary}`,
      ...text,
      `--${boundary}`,
      ...part('text/html', message.htmlBody),
      `--${boundary}--`,
      '',
    ].join('\n'),
  );
}

function part(type: string, body: string): string[] {
  return [`Content-Type: ${type}; charset=utf-8`, 'Content-Transfer-Encoding: 8bit', '', body];
}

function encodedWord(value: string, phrase: boolean): string {
  if (/^[\x20-\x7e]*$/.test(value)) {
    return phrase && /[()<>@,;:\\".[\]]/.test(value)
      ? `"${value.replace(/(["\\])/g, '\\$1')}"`
      : value;
  }
  return `=?UTF-8?B?${Buffer.from(value, 'utf8').toString('base64')}?=`;
}

function crlf(text: string): string {
  return text.replace(/\r?\n/g, '\r\n');
}
