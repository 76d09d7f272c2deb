import { emlOf } from './emlOf';
import type { OutgoingMessage } from './transport';

const message: OutgoingMessage = {
  outboundId: '01jq0000000000000000000001',
  messageId: '42',
  channel: 'email',
  to: 'ben@example.com',
  from: 'notifications@example.com',
  fromName: 'Missive',
  replyTo: null,
  subject: 'Field trip',
  body: 'Bring a lunch.\nSee you.',
  htmlBody: null,
  media: [],
};
const date = new Date('2026-03-01T10:00:00Z');

describe('emlOf', () => {
  it('writes a plain-text message with CRLF line ends', () => {
    expect(emlOf(message, date)).toBe(
      [
        'Message-ID: <01jq0000000000000000000001@missive>',
        'Date: Sun, 01 Mar 2026 10:00:00 +0000',
        'From: Missive <notifications@example.com>',
        'To: ben@example.com',
        'Subject: Field trip',
        'X-Missive-Outbound-Id: 01jq0000000000000000000001',
        'MIME-Version: 1.0',
        'Content-Type: text/plain; charset=utf-8',
        'Content-Transfer-Encoding: 8bit',
        '',
        'Bring a lunch.',
        'See you.',
      ].join('\r\n'),
    );
  });

  it('encodes non-ASCII header words and quotes display names with specials', () => {
    const eml = emlOf({ ...message, subject: 'Café à midi', fromName: 'Missive, Inc.' }, date);
    expect(eml).toContain(`Subject: =?UTF-8?B?${Buffer.from('Café à midi').toString('base64')}?=`);
    expect(eml).toContain('From: "Missive, Inc." <notifications@example.com>');
  });

  it('sends HTML beside the text as multipart/alternative', () => {
    const eml = emlOf(
      { ...message, htmlBody: '<p>Bring a lunch.</p>', replyTo: 'r@example.com' },
      date,
    );
    const boundary = /boundary="([^"]+)"/.exec(eml)![1]!;
    expect(eml).toContain('Reply-To: r@example.com');
    expect(eml.split(`--${boundary}`)).toHaveLength(4);
    expect(eml).toContain(
      'Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n<p>Bring a lunch.</p>',
    );
  });
});
