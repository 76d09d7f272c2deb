import type { MissiveCloudEvent } from '@missive/contracts';
import { createParser, type EventSourceMessage } from 'eventsource-parser';

export interface FollowEventFeedOptions {
  /** The Missive API base URL, e.g. http://localhost:3000. */
  readonly baseUrl: string;
  /** An admin's access token: the feed carries every user's events. */
  readonly token: string;
  readonly types: readonly string[];
  /** The id of the last event handled (its log position); omitted: from the beginning. */
  readonly lastEventId?: string;
  /** Handled in order; when it resolves the event counts as done and its id is the new checkpoint. */
  readonly onEvent: (event: MissiveCloudEvent, id: string) => Promise<void> | void;
  readonly signal: AbortSignal;
  /** Wait before reconnecting after the stream drops (default 1 s). */
  readonly retryMs?: number;
}

/**
 * Follows Missive's CloudEvents feed over HTTP (works whatever store Missive runs on). When the
 * connection drops it reconnects with `Last-Event-ID`, so no event is skipped or repeated.
 * Resolves when `signal` aborts; rejects on a refusal that retrying cannot fix (4xx).
 */
export async function followEventFeed(options: FollowEventFeedOptions): Promise<void> {
  let lastEventId = options.lastEventId;
  while (!options.signal.aborted) {
    const url = new URL('/api/v1/events', options.baseUrl);
    for (const type of options.types) url.searchParams.append('type', type);
    const headers: Record<string, string> = {
      authorization: `Bearer ${options.token}`,
      accept: 'text/event-stream',
    };
    if (lastEventId) headers['last-event-id'] = lastEventId;
    try {
      const response = await fetch(url, { headers, signal: options.signal });
      if (response.status >= 400 && response.status < 500) {
        throw new FeedRefused(response.status, await response.text());
      }
      if (!response.ok || !response.body) throw new Error(`feed answered ${response.status}`);
      const queue: EventSourceMessage[] = [];
      const parser = createParser({ onEvent: (message) => queue.push(message) });
      const decoder = new TextDecoder();
      for await (const chunk of response.body) {
        parser.feed(decoder.decode(chunk as Uint8Array, { stream: true }));
        while (queue.length > 0) {
          const message = queue.shift()!;
          if (!message.id) continue;
          await options.onEvent(JSON.parse(message.data) as MissiveCloudEvent, message.id);
          lastEventId = message.id;
        }
      }
    } catch (err) {
      if (options.signal.aborted) return;
      if (err instanceof FeedRefused) throw err;
    }
    await new Promise((resolve) => setTimeout(resolve, options.retryMs ?? 1000));
  }
}

export class FeedRefused extends Error {
  override readonly name = 'FeedRefused';

  constructor(
    readonly status: number,
    readonly body: string,
  ) {
    super(`the event feed refused the subscription: ${status} ${body}`);
  }
}
