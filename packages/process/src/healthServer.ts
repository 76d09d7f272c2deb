import type { ProjectionRunner, ProjectionStatus } from '@missive/projections';
import { createServer, type Server } from 'node:http';

/** A part of a process other than its projections (the notifier's dispatcher, say). */
export interface HealthComponent {
  status(): { readonly healthy: boolean } | Promise<{ readonly healthy: boolean }>;
}

/**
 * `GET /health` for container health checks of a projector process: 200 while no projection
 * has failed and every other component says it is healthy, 503 otherwise, with every
 * projection's status (checkpoint, lag, parked) and every component's as JSON.
 */
export function startHealthServer(
  port: number,
  runners: readonly ProjectionRunner[],
  components: Readonly<Record<string, HealthComponent>> = {},
): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || req.url !== '/health') {
      res.writeHead(404).end();
      return;
    }
    const named = Object.entries(components);
    Promise.all([
      Promise.all(runners.map((r) => r.status())),
      Promise.all(named.map(([, c]) => c.status())),
    ]).then(
      ([statuses, componentStatuses]: [ProjectionStatus[], { healthy: boolean }[]]) => {
        const healthy =
          statuses.every((s) => s.state !== 'failed') && componentStatuses.every((c) => c.healthy);
        const body: Record<string, unknown> = {
          status: healthy ? 'ok' : 'failing',
          projections: statuses,
        };
        if (named.length > 0) {
          body['components'] = Object.fromEntries(
            named.map(([name], i) => [name, componentStatuses[i]]),
          );
        }
        res.writeHead(healthy ? 200 : 503, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body, (_k, v) => (typeof v === 'bigint' ? String(v) : v)));
      },
      (error: unknown) => {
        res.writeHead(503, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ status: 'failing', error: String(error) }));
      },
    );
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '0.0.0.0', () => resolve(server));
  });
}
