import type { ProjectionRunner, ProjectionStatus } from '@missive/projections';
import { createServer, type Server } from 'node:http';

/**
 * `GET /health` for container health checks of a projector process: 200 while no projection
 * has failed, 503 otherwise, with every projection's status (checkpoint, lag, parked) as JSON.
 */
export function startHealthServer(
  port: number,
  runners: readonly ProjectionRunner[],
): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || req.url !== '/health') {
      res.writeHead(404).end();
      return;
    }
    Promise.all(runners.map((r) => r.status())).then(
      (statuses: ProjectionStatus[]) => {
        const healthy = statuses.every((s) => s.state !== 'failed');
        res.writeHead(healthy ? 200 : 503, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({ status: healthy ? 'ok' : 'failing', projections: statuses }, (_k, v) =>
            typeof v === 'bigint' ? String(v) : v,
          ),
        );
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
