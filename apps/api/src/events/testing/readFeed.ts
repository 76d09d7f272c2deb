import { ADMIN_TOKEN, type TestApp } from '../../testing/testApp';

export interface FeedFrame {
  id: string;
  event: string;
  data: Record<string, unknown>;
}

/** Reads SSE frames from the feed until `count` events arrived, then disconnects. */
export async function readFeed(
  app: TestApp,
  query: string,
  count: number,
  headers: Record<string, string> = {},
): Promise<FeedFrame[]> {
  const controller = new AbortController();
  const response = await fetch(`${app.running.url}/api/v1/events${query}`, {
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...headers },
    signal: controller.signal,
  });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
  const frames: FeedFrame[] = [];
  let buffer = '';
  const decoder = new TextDecoder();
  const timer = setTimeout(() => controller.abort(), 5000);
  try {
    for await (const chunk of response.body!) {
      buffer += decoder.decode(chunk as Uint8Array, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const fields = Object.fromEntries(
          frame
            .split('\n')
            .map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 2)]),
        );
        if (fields['id']) {
          frames.push({
            id: fields['id'],
            event: fields['event']!,
            data: JSON.parse(fields['data']!),
          });
        }
      }
      if (frames.length >= count) break;
    }
  } catch (err) {
    if (!controller.signal.aborted) throw err;
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
  return frames;
}
