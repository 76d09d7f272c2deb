import { decodeUlidTime } from './ulidTime';
import type { Reply, TestApp } from '../../testing/testApp';

export const COMMS_ACCOUNT_ID = 'ACtest0000000000000000000000000000';
export const COMMS_AUTH_TOKEN = 'test-comms-auth-token-0123456789';
export const COMMS_API_KEY = 'SKtest0000000000000000000000000000';
export const COMMS_API_KEY_SECRET = 'test-comms-api-key-secret-0123456789';
export const COMMS_WEBHOOK_TOKEN = 'test-comms-webhook-token-0123456789';

/**
 * The Comms e2e apps run without the in-process notifier: tests move messages through the
 * sandbox themselves (dispatchThroughSandbox) or start a notifier they control (scheduling),
 * so what a message goes through never depends on a background dispatcher's timing.
 */
export const COMMS_ENV = {
  RUN_NOTIFIER: 'false',
  COMMS_ACCOUNT_ID,
  COMMS_AUTH_TOKEN,
  COMMS_API_KEY,
  COMMS_API_KEY_SECRET,
  COMMS_WEBHOOK_TOKEN,
  COMMS_BASE_URL: 'https://comms.missive.test',
  // Tests page and poll faster than a client should; the limit has its own test.
  COMMS_RATE_LIMIT_PER_SEC: '100000',
  COMMS_RATE_LIMIT_BURST: '100000',
};

export function basic(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}

/** A JSON object from the API, navigated freely in assertions. */
export type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Calls the Comms API of a TestApp with the account's Basic credentials. */
export class CommsClient {
  constructor(
    readonly app: TestApp,
    readonly authorization: string = basic(COMMS_ACCOUNT_ID, COMMS_AUTH_TOKEN),
  ) {}

  request(
    method: string,
    path: string,
    json?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Reply> {
    return this.app.request(method, path, {
      json,
      headers: { authorization: this.authorization, ...headers },
    });
  }

  get(path: string): Promise<Reply> {
    return this.request('GET', path);
  }

  /** Sends and expects the 202; returns the operation id. */
  async send(body: unknown): Promise<string> {
    const res = await this.request('POST', '/v1/Messages', body);
    if (res.status !== 202) throw new Error(`send: ${res.status} ${res.text}`);
    return res.body.operationId as string;
  }

  /** Without following redirects, as a client inspecting Seek would. */
  async seek(
    identifier: string,
  ): Promise<{ status: number; location: string | null; body: unknown }> {
    const res = await fetch(
      `${this.app.running.url}/v1/Messages/Seek/${encodeURIComponent(identifier)}`,
      {
        headers: { authorization: this.authorization },
        redirect: 'manual',
      },
    );
    const text = await res.text();
    return {
      status: res.status,
      location: res.headers.get('location'),
      body: text ? JSON.parse(text) : null,
    };
  }

  /** Every message of a listing, following `next` until the end. */
  async listAll(query: string, pageSize: number): Promise<Json[]> {
    const all: Json[] = [];
    let token: string | null = null;
    for (let pages = 0; pages < 10_000; pages++) {
      const params = new URLSearchParams(query);
      params.set('pageSize', String(pageSize));
      if (token) params.set('pageToken', token);
      const res = await this.get(`/v1/Messages?${params}`);
      if (res.status !== 200) throw new Error(`list: ${res.status} ${res.text}`);
      all.push(...res.body.messages);
      token = res.body.pagination.next;
      if (!token) return all;
    }
    throw new Error('paging did not end');
  }
}

/** Creation time of a Comms id (`comms_message_<ulid>`), to the millisecond. */
export function createdMsOf(commsId: string): number {
  return decodeUlidTime(commsId.slice(commsId.lastIndexOf('_') + 1));
}

/** Polls until `check` holds (or throws after `timeoutMs`): for effects of background work. */
export async function eventually<T>(
  probe: () => Promise<T>,
  check: (value: T) => boolean,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (check(value)) return value;
    if (Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
