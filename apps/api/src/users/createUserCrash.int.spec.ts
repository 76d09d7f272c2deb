import {
  ApiProcesses,
  CANVAS_CRASH_ENV,
  retryPast409,
  sendForm,
  type ApiProcess,
} from '../testing/apiProcesses';
import { ADMIN_TOKEN } from '../testing/testApp';

/**
 * A user create, or a token issue, killed (SIGKILL at a fixed step: MISSIVE_CRASH_AT) part-way
 * through, then retried on a restarted API over the same data. Counted in the event log.
 */
describe('user creates and token issues retried after a crash of the API process', () => {
  let apis: ApiProcesses;

  jest.setTimeout(120_000);

  beforeEach(() => {
    apis = ApiProcesses.inTempDir('missive-user-crash-', CANVAS_CRASH_ENV);
  });
  afterEach(() => apis.remove());

  const post = (
    api: ApiProcess,
    path: string,
    form: Record<string, string>,
    options: { key?: string; token?: string } = {},
  ) => sendForm(api, 'POST', path, { form, token: options.token ?? ADMIN_TOKEN, key: options.key });
  const createUser = (api: ApiProcess, form: Record<string, string>, key?: string) =>
    post(api, '/api/v1/accounts/self/users', form, { key });

  const registered = async (loginId: string) =>
    (await apis.events('UserRegistered'))
      .map((e) => e.data as { userId: string; loginId: string })
      .filter((d) => d.loginId === loginId);

  /** Crashes the create at `step`, then sends `retry` (by default the same request) to a fresh API. */
  async function crashThenRetry(
    step: string,
    form: Record<string, string>,
    key?: string,
    retry: Record<string, string> = form,
  ): Promise<{ api: ApiProcess; res: Response }> {
    await apis.crashAt(step, (api) => createUser(api, form, key));
    const api = await apis.start();
    return { api, res: await retryPast409(() => createUser(api, retry, key)) };
  }

  const ann = { 'user[name]': 'Ann Lee', 'pseudonym[unique_id]': 'ann@example.com' };

  it('answers the keyed retry of a create killed after the login claim with the user, written once', async () => {
    const { res } = await crashThenRetry('user-create:login-claimed', ann, 'user-crash-1');
    expect(res.status).toBe(200);
    const user = (await res.json()) as { id: number; login_id: string };
    expect(user.login_id).toBe('ann@example.com');
    const written = await registered('ann@example.com');
    expect(written.map((d) => d.userId)).toEqual([String(user.id)]);
    expect(await apis.events('LoginClaimed')).toHaveLength(2); // the admin's and Ann's
  });

  it('answers the keyed retry of a create killed after the user was written with that user', async () => {
    const { api, res } = await crashThenRetry('user-create:user-registered', ann, 'user-crash-2');
    expect(res.status).toBe(200);
    const user = (await res.json()) as { id: number; name: string };
    expect(user.name).toBe('Ann Lee');
    expect((await registered('ann@example.com')).map((d) => d.userId)).toEqual([String(user.id)]);
    // The key now answers from its record; another create of the login is still refused.
    const again = await createUser(api, ann, 'user-crash-2');
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await again.json()).toEqual(user);
    expect((await createUser(api, ann, 'user-crash-2b')).status).toBe(400);
  });

  it('finishes the first channel of a keyed create killed after claiming its address', async () => {
    const form = {
      ...ann,
      'communication_channel[type]': 'email',
      'communication_channel[address]': 'ann.lee@example.com',
    };
    const { api, res } = await crashThenRetry(
      'channel-create:address-claimed',
      form,
      'user-crash-3',
    );
    expect(res.status).toBe(200);
    const user = (await res.json()) as { id: number };
    expect((await registered('ann@example.com')).map((d) => d.userId)).toEqual([String(user.id)]);
    const added = (await apis.events('ChannelAdded')).map(
      (e) => e.data as { userId: string; address: string },
    );
    expect(added).toEqual([
      expect.objectContaining({ userId: String(user.id), address: 'ann.lee@example.com' }),
    ]);
    const channels = await fetch(`${api.url}/api/v1/users/${user.id}/communication_channels`, {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    expect(((await channels.json()) as { address: string }[]).map((c) => c.address)).toEqual([
      'ann.lee@example.com',
    ]);
  });

  it('without a key: the same request finishes a create killed after its claim; another request is refused', async () => {
    await apis.crashAt('user-create:login-claimed', (api) => createUser(api, ann));
    const api = await apis.start();
    // Another request for the login the dead attempt claimed: Canvas's 400, nothing written.
    const other = await createUser(api, { ...ann, 'user[name]': 'Someone Else' });
    expect(other.status).toBe(400);
    expect(((await other.json()) as { errors: unknown }).errors).toEqual({
      pseudonym: {
        unique_id: [
          {
            attribute: 'unique_id',
            type: 'taken',
            message: 'ID already in use for this account and authentication provider',
          },
        ],
      },
    });
    expect(await registered('ann@example.com')).toEqual([]);
    // The same request (same caller, same fields): the user the claim names.
    const retry = await createUser(api, ann);
    expect(retry.status).toBe(200);
    const user = (await retry.json()) as { id: number; name: string };
    expect(user.name).toBe('Ann Lee');
    const [claim] = (await apis.events('LoginClaimed'))
      .map((e) => e.data as { loginId: string; userId: string })
      .filter((d) => d.loginId === 'ann@example.com');
    expect(String(user.id)).toBe(claim!.userId);
    expect((await registered('ann@example.com')).map((d) => d.userId)).toEqual([claim!.userId]);
  });

  it('without a key: a create killed after it was written whole is, to its retry, a taken login (as in Canvas)', async () => {
    const { res } = await crashThenRetry('user-create:user-registered', ann);
    expect(res.status).toBe(400);
    expect(await registered('ann@example.com')).toHaveLength(1);
  });

  it('answers the keyed retry of a token issue killed after the issue with the same, working token', async () => {
    const form = { 'token[purpose]': 'crash test' };
    const send = (api: ApiProcess) =>
      post(api, '/api/v1/users/self/tokens', form, { key: 'token-crash-1' });
    await apis.crashAt('token-issue:token-issued', send);
    const api = await apis.start();
    const res = await retryPast409(() => send(api));
    expect(res.status).toBe(200);
    const token = (await res.json()) as { id: number; visible_token: string; token_hint: string };
    const issued = (await apis.events('AccessTokenIssued'))
      .map((e) => e.data as { tokenId: string; purpose: string | null })
      .filter((d) => d.purpose === 'crash test');
    expect(issued.map((d) => d.tokenId)).toEqual([String(token.id)]);
    expect(token.token_hint).toBe(token.visible_token.slice(-4));
    const me = await fetch(`${api.url}/api/v1/users/self`, {
      headers: { authorization: `Bearer ${token.visible_token}` },
    });
    expect(me.status).toBe(200);
  });
});
