import { CommsSandboxTransport, sandboxMessageSid } from './commsSandboxTransport';
import type { OutgoingMessage } from './transport';

function message(overrides: Partial<OutgoingMessage> = {}): OutgoingMessage {
  return {
    outboundId: '01jabcdefghjkmnpqrstvwxyz0',
    messageId: '1',
    channel: 'phone',
    to: '+14155550100',
    from: '+15005550006',
    fromName: null,
    replyTo: null,
    subject: null,
    body: 'Hello',
    htmlBody: null,
    media: [],
    ...overrides,
  };
}

describe('Comms sandbox transport', () => {
  const sandbox = new CommsSandboxTransport();

  it('delivers any ordinary number, with the same SMS SID on every retry', async () => {
    const first = await sandbox.send(message());
    expect(first).toEqual({
      outcome: 'sent',
      providerMessageId: expect.stringMatching(/^SM[0-9a-f]{32}$/),
      receipt: { status: 'delivered' },
    });
    expect(await sandbox.send(message())).toEqual(first);
    expect(await sandbox.send(message({ channel: 'whatsapp' }))).toEqual(first);
  });

  it('gives media messages an MM SID', async () => {
    const sent = await sandbox.send(message({ media: ['https://example.com/a.png'] }));
    expect(sent).toMatchObject({
      providerMessageId: sandboxMessageSid(message().outboundId, true),
    });
    expect(sandboxMessageSid('x', true)).toMatch(/^MM[0-9a-f]{32}$/);
  });

  it.each([
    ['+15005550001', '21211'],
    ['+15005550002', '21612'],
    ['+15005550003', '21408'],
    ['+15005550004', '21610'],
    ['+15005550009', '21614'],
  ])('fails for good for recipient %s (code %s)', async (to, code) => {
    expect(await sandbox.send(message({ to }))).toEqual({
      outcome: 'failed',
      transient: false,
      error: { code, message: expect.any(String) },
    });
  });

  it.each([
    ['+15005550011', '30003'],
    ['+15005550012', '30005'],
  ])('sends to %s but reports it undelivered (code %s)', async (to, code) => {
    expect(await sandbox.send(message({ to, channel: 'whatsapp' }))).toEqual({
      outcome: 'sent',
      providerMessageId: expect.stringMatching(/^SM/),
      receipt: { status: 'undelivered', error: { code, message: expect.any(String) } },
    });
  });

  it('leaves +15005550010 sent with no receipt', async () => {
    const sent = await sandbox.send(message({ to: '+15005550010' }));
    expect(sent).toEqual({ outcome: 'sent', providerMessageId: expect.any(String) });
  });

  it('fails transiently for +15005550013 and the queue-full sender', async () => {
    for (const sent of [
      await sandbox.send(message({ to: '+15005550013' })),
      await sandbox.send(message({ from: '+15005550008' })),
    ]) {
      expect(sent).toMatchObject({ outcome: 'failed', transient: true });
    }
  });

  it('judges the sender before the recipient', async () => {
    expect(await sandbox.send(message({ from: '+15005550001', to: '+15005550011' }))).toMatchObject(
      {
        outcome: 'failed',
        transient: false,
        error: { code: '21212' },
      },
    );
    expect(await sandbox.send(message({ from: '+15005550007' }))).toMatchObject({
      error: { code: '21606' },
    });
  });

  it('refuses channels it does not speak', async () => {
    expect(await sandbox.send(message({ channel: 'email', to: 'a@example.com' }))).toMatchObject({
      outcome: 'failed',
      transient: false,
      error: { code: 'unsupported_channel' },
    });
  });
});
