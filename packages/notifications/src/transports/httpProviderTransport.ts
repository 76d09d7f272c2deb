import type { OutgoingMessage, SendResult, Transport } from './transport';

export interface HttpProviderTransportOptions {
  /** `COMMS_PROVIDER_URL`: where each message is POSTed. */
  readonly url: string;
  /** `COMMS_PROVIDER_TOKEN`: sent as `Authorization: Bearer <token>` when set. */
  readonly token?: string;
  /**
   * Where the provider reports later statuses: the API's
   * `<COMMS_BASE_URL>/v1/Messages/ProviderStatus`. Sent with every message.
   */
  readonly statusCallbackUrl?: string;
  /** A request that takes longer is abandoned and retried later. Default 10 s. */
  readonly timeoutMs?: number;
}

/** What the provider may say in a 2xx answer: its id, and optionally an early final status. */
interface ProviderAnswer {
  sid?: unknown;
  id?: unknown;
  status?: unknown;
  errorCode?: unknown;
  errorMessage?: unknown;
  code?: unknown;
  message?: unknown;
}

/**
 * PHONE and WHATSAPP through an HTTP SMS provider. The wire protocol (README, "Comms API"):
 *
 *   POST <url>  Content-Type: application/json, Idempotency-Key: <outboundId>
 *   {"reference": outboundId, "channel": "PHONE"|"WHATSAPP", "to", "from", "text", "media": [url],
 *    "statusCallback": url|null}
 *   -> 2xx {"sid": "SM…"} (or "id"); optional "status": "failed" with "errorCode"/"errorMessage"
 *
 * and later the provider POSTs `{reference, sid, status, errorCode?, errorMessage?}` to the
 * status callback. The Idempotency-Key lets a provider that honours it drop the duplicate when
 * a crash made us send the same message twice.
 *
 * Outcomes: a 2xx is `sent` (its delivery is settled by the callback); 408, 425, 429, 5xx,
 * timeouts and network errors are transient (the dispatcher retries with back-off); any other
 * 4xx, or a 2xx saying `failed`, fails the message for good with the provider's code.
 */
export class HttpProviderTransport implements Transport {
  readonly name = 'http-provider';
  readonly #options: HttpProviderTransportOptions;

  constructor(options: HttpProviderTransportOptions) {
    new URL(options.url); // fail at start-up, not on the first message
    this.#options = options;
  }

  async send(message: OutgoingMessage): Promise<SendResult> {
    if (message.channel !== 'phone' && message.channel !== 'whatsapp') {
      return failed(
        false,
        'unsupported_channel',
        `the HTTP provider cannot send ${message.channel}`,
      );
    }
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      accept: 'application/json',
      'idempotency-key': message.outboundId,
    };
    if (this.#options.token) headers['authorization'] = `Bearer ${this.#options.token}`;
    let response: Response;
    try {
      response = await fetch(this.#options.url, {
        method: 'POST',
        headers,
        body: JSON.stringify({
          reference: message.outboundId,
          channel: message.channel === 'whatsapp' ? 'WHATSAPP' : 'PHONE',
          to: message.to,
          from: message.from,
          text: message.body === '' ? null : message.body,
          media: message.media,
          statusCallback: this.#options.statusCallbackUrl ?? null,
        }),
        signal: AbortSignal.timeout(this.#options.timeoutMs ?? 10_000),
      });
    } catch (error) {
      return failed(true, 'network', `provider unreachable: ${describe(error)}`);
    }
    const answer = await readAnswer(response);
    if (response.ok) {
      const sid = typeof answer.sid === 'string' ? answer.sid : answer.id;
      if (answer.status === 'failed') {
        return failed(false, codeOf(answer, 'provider_failed'), messageOf(answer, response));
      }
      if (typeof sid !== 'string' || sid === '') {
        // Accepted but unidentifiable: its callbacks could only be matched by reference.
        return { outcome: 'sent', providerMessageId: null };
      }
      return { outcome: 'sent', providerMessageId: sid };
    }
    const transient = [408, 425, 429].includes(response.status) || response.status >= 500;
    return failed(
      transient,
      codeOf(answer, `http_${response.status}`),
      messageOf(answer, response),
    );
  }
}

async function readAnswer(response: Response): Promise<ProviderAnswer> {
  try {
    const body: unknown = await response.json();
    return body && typeof body === 'object' ? (body as ProviderAnswer) : {};
  } catch {
    return {};
  }
}

function codeOf(answer: ProviderAnswer, fallback: string): string {
  const code = answer.errorCode ?? answer.code;
  return typeof code === 'string' || typeof code === 'number' ? String(code) : fallback;
}

function messageOf(answer: ProviderAnswer, response: Response): string {
  const text = answer.errorMessage ?? answer.message;
  return typeof text === 'string' && text ? text : `provider answered ${response.status}`;
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as Error & { cause?: unknown }).cause;
    return cause instanceof Error ? `${error.message} (${cause.message})` : error.message;
  }
  return String(error);
}

function failed(transient: boolean, code: string, message: string): SendResult {
  return { outcome: 'failed', transient, error: { code, message } };
}
