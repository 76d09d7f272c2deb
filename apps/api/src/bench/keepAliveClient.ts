import { Agent, request } from 'node:http';

export interface BenchRequest {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
}

export type SendRequest = (path: string, init?: BenchRequest) => Promise<number>;

/**
 * The load generator's HTTP client. Node's fetch costs about 450 µs of CPU per request on this
 * machine, so at 2,000 requests/s the client alone would need a whole core of the two the
 * server runs on (a trivial Node server measured 2,100 req/s through fetch, 7,500 through
 * this). `node:http` over a keep-alive pool (one socket per concurrent caller) costs ~140 µs.
 * BENCH_CLIENT=fetch uses fetch instead, for figures comparable with earlier runs.
 */
export function keepAliveClient(baseUrl: string, sockets: number): SendRequest {
  if (process.env.BENCH_CLIENT === 'fetch') {
    return async (path, init = {}) => {
      const res = await fetch(`${baseUrl}${path}`, init);
      await res.arrayBuffer();
      return res.status;
    };
  }
  const { hostname, port } = new URL(baseUrl);
  const agent = new Agent({ keepAlive: true, maxSockets: sockets });
  return (path, init = {}) =>
    new Promise((resolve, reject) => {
      const req = request(
        { host: hostname, port, path, method: init.method ?? 'GET', headers: init.headers, agent },
        (res) => {
          // Read the whole body, as a real client would, before the request counts as done.
          res.on('data', () => undefined);
          res.once('end', () => resolve(res.statusCode ?? 0));
          res.once('error', reject);
        },
      );
      req.once('error', reject);
      req.end(init.body);
    });
}
