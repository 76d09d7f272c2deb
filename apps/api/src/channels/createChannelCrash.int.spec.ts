import {
  ApiProcesses,
  CANVAS_CRASH_ENV,
  retryPast409,
  sendForm,
  type ApiProcess,
} from '../testing/apiProcesses';
import { ADMIN_TOKEN } from '../testing/testApp';

/**
 * A communication channel create killed (SIGKILL at a fixed step: MISSIVE_CRASH_AT) part-way
 * through, then retried on a restarted API over the same data. Counted in the event log.
 */
describe('communication channel creates retried after a crash of the API process', () => {
  let apis: ApiProcesses;

  jest.setTimeout(120_000);

  beforeEach(() => {
    apis = ApiProcesses.inTempDir('missive-channel-crash-', CANVAS_CRASH_ENV);
  });
  afterEach(() => apis.remove());

  const PATH = '/api/v1/users/self/communication_channels';
  const form = {
    'communication_channel[type]': 'email',
    'communication_channel[address]': 'admin@example.com',
  };
  const send = (api: ApiProcess, method: string, path: string, key?: string) =>
    sendForm(api, method, path, {
      form: method === 'POST' ? form : undefined,
      token: ADMIN_TOKEN,
      key,
    });
  const create = (api: ApiProcess, key?: string) => send(api, 'POST', PATH, key);

  const written = async (type: string) =>
    (await apis.events(type)).map((e) => (e.data as { channelId: string }).channelId);

  async function crashThenRetry(step: string, key?: string): Promise<Response> {
    await apis.crashAt(step, (api) => create(api, key));
    const api = await apis.start();
    return retryPast409(() => create(api, key));
  }

  it('answers the keyed retry of a create killed after the channel was written with it, written once', async () => {
    const res = await crashThenRetry('channel-create:channel-added', 'channel-crash-1');
    expect(res.status).toBe(200);
    const channel = (await res.json()) as { id: number; address: string };
    expect(channel.address).toBe('admin@example.com');
    expect(await written('ChannelAdded')).toEqual([String(channel.id)]);
  });

  it('finishes the channel of a keyed create killed after claiming its address', async () => {
    const res = await crashThenRetry('channel-create:address-claimed', 'channel-crash-2');
    expect(res.status).toBe(200);
    const channel = (await res.json()) as { id: number };
    expect(await written('ChannelAddressClaimed')).toEqual([String(channel.id)]);
    expect(await written('ChannelAdded')).toEqual([String(channel.id)]);
  });

  it('answers the keyed retry of a revival killed after it was written with the channel, revived once', async () => {
    const setup = await apis.start();
    const first = (await (await create(setup)).json()) as { id: number };
    expect((await send(setup, 'DELETE', `${PATH}/${first.id}`)).status).toBe(200);
    await apis.stopAll();

    const res = await crashThenRetry('channel-create:channel-added', 'channel-crash-3');
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ id: first.id, workflow_state: 'unconfirmed' });
    expect(await written('ChannelRevived')).toEqual([String(first.id)]);
  });

  it('without a key: the create killed after it was written whole is, to its retry, a duplicate (as in Canvas)', async () => {
    const res = await crashThenRetry('channel-create:channel-added');
    expect(res.status).toBe(400);
    expect(await written('ChannelAdded')).toHaveLength(1);
  });
});
