import { createTransport, type Transporter } from 'nodemailer';
import { mailOptionsOf, smtpMessageIdOf } from './mailOptionsOf';
import type { OutgoingMessage, SendResult, Transport } from './transport';

export interface SmtpTransportOptions {
  /** Connections kept open to the relay. Default 5. */
  readonly maxConnections?: number;
  /** Default 30 s; DELIVERY_LEASE_MS must stay well above connect + send time. */
  readonly connectionTimeoutMs?: number;
  /** Idle time on an open connection before the attempt fails. Default 60 s. */
  readonly socketTimeoutMs?: number;
}

interface SmtpError {
  code?: string;
  responseCode?: number;
  response?: string;
  command?: string;
  message?: string;
}

/**
 * Email through an SMTP relay (SMTP_URL, e.g. `smtp://user:pass@relay:587`), over a pool of
 * connections. The recipient's server answering RCPT TO with 5xx is a bounce (the address is
 * bad); 4xx anywhere and connection trouble are transient; any other 5xx (the relay refusing
 * the sender or the content) fails the message without blaming the address.
 */
export class SmtpTransport implements Transport {
  readonly name = 'smtp';
  readonly #mailer: Transporter;

  constructor(url: string, options: SmtpTransportOptions = {}) {
    this.#mailer = createTransport({
      url,
      pool: true,
      maxConnections: options.maxConnections ?? 5,
      connectionTimeout: options.connectionTimeoutMs ?? 30_000,
      greetingTimeout: options.connectionTimeoutMs ?? 30_000,
      socketTimeout: options.socketTimeoutMs ?? 60_000,
    });
  }

  async send(message: OutgoingMessage): Promise<SendResult> {
    try {
      const info = await this.#mailer.sendMail(mailOptionsOf(message));
      const rejected = (info as { rejectedErrors?: SmtpError[] }).rejectedErrors ?? [];
      if (rejected.length > 0) return classify(rejected[0]!);
      return {
        outcome: 'sent',
        providerMessageId: info.messageId ?? smtpMessageIdOf(message.outboundId),
      };
    } catch (error) {
      return classify(error as SmtpError);
    }
  }

  async close(): Promise<void> {
    this.#mailer.close();
  }
}

export function classify(error: SmtpError): SendResult {
  const code = error.responseCode;
  const text = error.response ?? error.message ?? String(error);
  if (typeof code === 'number') {
    if (code >= 400 && code < 500) {
      return { outcome: 'failed', transient: true, error: { code: `smtp_${code}`, message: text } };
    }
    if (code >= 500 && error.command === 'RCPT TO') return { outcome: 'bounced', reason: text };
    return { outcome: 'failed', transient: false, error: { code: `smtp_${code}`, message: text } };
  }
  // Refused before any exchange with a server (a malformed address): retrying cannot help.
  if (error.code === 'EENVELOPE') {
    return {
      outcome: 'failed',
      transient: false,
      error: { code: 'invalid_address', message: text },
    };
  }
  return {
    outcome: 'failed',
    transient: true,
    error: { code: (error.code ?? 'smtp_error').toLowerCase(), message: text },
  };
}
