import type { ProjectionRunner, ProjectionStatus } from '@missive/projections';
import type { AddressInfo, Server } from 'node:net';
import { startHealthServer } from './healthServer';

/** A runner seen only through what the health server asks of it. */
const runner = (state: ProjectionStatus['state']) =>
  ({
    status: async () => ({ name: 'p', state }) as unknown as ProjectionStatus,
  }) as ProjectionRunner;

describe('health server', () => {
  let server: Server | undefined;
  afterEach(() => server?.close());

  const get = async (runners: ProjectionRunner[], components = {}) => {
    server = await startHealthServer(0, runners, components);
    const { port } = server.address() as AddressInfo;
    const res = await fetch(`http://127.0.0.1:${port}/health`);
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  it('answers 200 with each component when every part is healthy', async () => {
    const dispatcher = { status: () => ({ healthy: true, state: 'running' }) };
    const { status, body } = await get([runner('live')], { dispatcher });
    expect(status).toBe(200);
    expect(body).toMatchObject({
      status: 'ok',
      components: { dispatcher: { healthy: true, state: 'running' } },
    });
  });

  it('answers 503 when a component is unhealthy, though every projection is live', async () => {
    const dispatcher = { status: async () => ({ healthy: false, state: 'failing' }) };
    const { status, body } = await get([runner('live')], { dispatcher });
    expect(status).toBe(503);
    expect(body).toMatchObject({
      status: 'failing',
      components: { dispatcher: { healthy: false } },
    });
  });

  it('answers 503 when a projection has failed, and leaves components out when there are none', async () => {
    const { status, body } = await get([runner('failed')]);
    expect(status).toBe(503);
    expect(body['status']).toBe('failing');
    expect(body).not.toHaveProperty('components');
  });
});
