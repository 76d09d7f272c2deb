import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';

export interface Reception {
  readonly to: string[];
  readonly from: string;
  readonly messageId: string | null;
  readonly raw: string;
}

export interface TestSmtpServer {
  readonly url: string;
  readonly port: number;
  readonly receptions: Reception[];
  close(): Promise<void>;
}

/**
 * A real SMTP server on a free port. Recipients whose local part starts with `gone` are refused
 * for good (550), `later` for now (451); every accepted message is kept in `receptions`.
 * `beforeAccept` runs once a message has been read and before the server says 250: a test can
 * stop the sender there, mid-attempt.
 */
export async function startTestSmtpServer(
  options: { beforeAccept?: (reception: Reception) => Promise<void> | void; port?: number } = {},
): Promise<TestSmtpServer> {
  const receptions: Reception[] = [];
  const config: SMTPServerOptions = {
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onRcptTo(address, _session, callback) {
      const local = address.address.split('@')[0]!.toLowerCase();
      if (local.startsWith('gone')) {
        const error = new Error('5.1.1 mailbox unavailable') as Error & { responseCode: number };
        error.responseCode = 550;
        return callback(error);
      }
      if (local.startsWith('later')) {
        const error = new Error('4.2.1 try again later') as Error & { responseCode: number };
        error.responseCode = 451;
        return callback(error);
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const reception: Reception = {
          to: session.envelope.rcptTo.map((r) => r.address),
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          messageId: /^Message-ID:\s*(\S+)/im.exec(raw)?.[1] ?? null,
          raw,
        };
        Promise.resolve(options.beforeAccept?.(reception)).then(
          () => {
            receptions.push(reception);
            callback();
          },
          (error: Error) => callback(error),
        );
      });
    },
  };
  const server = new SMTPServer(config);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  // A sender killed mid-conversation resets its connection: that is the point of some tests,
  // not a failure of the server.
  server.on('error', () => undefined);
  const port = (server.server.address() as AddressInfo).port;
  return {
    url: `smtp://127.0.0.1:${port}`,
    port,
    receptions,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
