import { createServer } from 'node:net';
import { startTestSmtpServer, type TestSmtpServer } from '../testing/testSmtpServer';
import { SmtpTransport } from './smtpTransport';
import type { OutgoingMessage } from './transport';

const message = (outboundId: string, to: string): OutgoingMessage => ({
  outboundId,
  messageId: '42',
  channel: 'email',
  to,
  from: 'notifications@example.com',
  fromName: 'Missive',
  replyTo: null,
  subject: 'Field trip',
  body: 'Bring a lunch.',
  htmlBody: null,
  media: [],
});

describe('SmtpTransport against a real SMTP server', () => {
  let server: TestSmtpServer;
  let transport: SmtpTransport;

  beforeAll(async () => {
    server = await startTestSmtpServer();
    transport = new SmtpTransport(server.url);
  });
  afterAll(async () => {
    await transport.close();
    await server.close();
  });

  it('sends with a Message-ID derived from the outbound id', async () => {
    const result = await transport.send(message('01jq0000000000000000000001', 'ben@example.com'));

    expect(result).toEqual({
      outcome: 'sent',
      providerMessageId: '<01jq0000000000000000000001@missive>',
    });
    const reception = server.receptions.find(
      (r) => r.messageId === '<01jq0000000000000000000001@missive>',
    );
    expect(reception).toMatchObject({ to: ['ben@example.com'], from: 'notifications@example.com' });
    expect(reception!.raw).toMatch(/^From: Missive <notifications@example.com>/m);
    expect(reception!.raw).toMatch(/^Subject: Field trip/m);
    expect(reception!.raw).toContain('Bring a lunch.');
  });

  it('reports a permanent refusal of the recipient (550) as a bounce', async () => {
    const result = await transport.send(message('01jq0000000000000000000002', 'gone@example.com'));

    expect(result).toMatchObject({ outcome: 'bounced', reason: expect.stringContaining('550') });
  });

  it('reports a temporary refusal of the recipient (451) as a transient failure', async () => {
    const result = await transport.send(message('01jq0000000000000000000003', 'later@example.com'));

    expect(result).toMatchObject({
      outcome: 'failed',
      transient: true,
      error: { code: 'smtp_451', message: expect.stringContaining('451') },
    });
  });

  it('reports an unreachable relay as a transient failure', async () => {
    // A port that was free a moment ago: nothing listens there now.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', () => resolve()));
    const port = (probe.address() as { port: number }).port;
    await new Promise((resolve) => probe.close(resolve));
    const unreachable = new SmtpTransport(`smtp://127.0.0.1:${port}`);
    try {
      const result = await unreachable.send(
        message('01jq0000000000000000000004', 'ben@example.com'),
      );
      expect(result).toMatchObject({ outcome: 'failed', transient: true });
    } finally {
      await unreachable.close();
    }
  });
});
