import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BenchFailure, requireNoErrors, requireProjectionsCaughtUp } from './benchChecks';

describe('benchmark checks', () => {
  it('refuses a figure with any error response', () => {
    expect(() => requireNoErrors('list', 0, 10)).not.toThrow();
    expect(() => requireNoErrors('list', 1, 10)).toThrow(
      new BenchFailure('list: 1 of 10 requests got an error response'),
    );
  });

  describe('projections after a phase', () => {
    let server: Server;
    let url: string;
    let answers: unknown[];

    beforeEach(async () => {
      answers = [];
      server = createServer((req, res) => {
        const body = answers.length > 1 ? answers.shift() : answers[0];
        res.writeHead(req.url === '/ready' ? 200 : 404, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });

    afterEach(() => new Promise<void>((resolve) => server.close(() => resolve())));

    const ready = (projections: Record<string, unknown>) => ({
      status: 'ok',
      details: { projections: { status: 'up', ...projections } },
    });

    it('waits for the lag to reach 0', async () => {
      answers = [
        ready({ conversations: { version: 1, lag: 3, parked: 0 } }),
        ready({ conversations: { version: 1, lag: 0, parked: 0 } }),
      ];
      await expect(requireProjectionsCaughtUp(url, 5_000)).resolves.toBeUndefined();
      expect(answers).toHaveLength(1);
    });

    it('fails on a parked event, naming the projection', async () => {
      answers = [
        ready({
          conversations: { version: 1, lag: 0, parked: 0 },
          channels: { version: 2, lag: 0, parked: 2 },
        }),
      ];
      await expect(requireProjectionsCaughtUp(url, 5_000)).rejects.toThrow(
        new BenchFailure('parked events: channels 2'),
      );
    });

    it('fails on lag left once the time is up', async () => {
      answers = [ready({ conversations: { version: 1, lag: 7, parked: 0 } })];
      await expect(requireProjectionsCaughtUp(url, 0)).rejects.toThrow(
        new BenchFailure('lag left after 0 ms: conversations 7'),
      );
    });

    it('fails when /ready lists no projection at all', async () => {
      answers = [{ status: 'ok', details: {} }];
      await expect(requireProjectionsCaughtUp(url, 0)).rejects.toThrow(
        new BenchFailure('/ready (200) lists no projections'),
      );
    });
  });
});
