import { request } from 'node:http';
import { ADMIN_TOKEN, TestApp } from '../testing/testApp';
import { LINK_HEADER_LIMIT } from './canvasPagination';

/**
 * The Link header repeats the query in each link: a long query value once made a 30 KB header
 * that Node's own fetch (16 KB of headers at most) could not read. Every paginated answer now
 * stays readable whatever the query or Host.
 */
describe('Link header size', () => {
  let app: TestApp;
  const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };

  beforeAll(async () => {
    app = await TestApp.start();
  });
  afterAll(() => app.stop());

  it.each([
    '/api/v1/conversations',
    '/api/v1/conversations/batches',
    '/api/v1/users/self/communication_channels',
  ])('%s with a 12 KB query value is readable by fetch', async (path) => {
    const long = encodeURIComponent('é'.repeat(2000));
    const res = await fetch(
      `${app.running.url}${path}?scope=unread&filter[]=${long}&per_page=1&search_term=x`,
      { headers: auth },
    );
    expect(res.status).toBe(200);
    const link = res.headers.get('link')!;
    expect(Buffer.byteLength(link)).toBeLessThanOrEqual(LINK_HEADER_LIMIT);
    expect(link).not.toContain('filter');
    expect(link).toContain('scope=unread');
    expect(link).toContain('rel="current"');
  });

  it('a long Host makes the links relative', async () => {
    const host = `${'h'.repeat(5000)}.example`;
    const { status, link } = await new Promise<{ status: number; link: string }>(
      (resolve, reject) => {
        const url = new URL(`${app.running.url}/api/v1/conversations?per_page=1`);
        request(url, { headers: { ...auth, host } }, (res) => {
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode!, link: String(res.headers.link) }));
        })
          .on('error', reject)
          .end();
      },
    );
    expect(status).toBe(200);
    expect(link.startsWith('</api/v1/conversations?page=1&per_page=1>; rel="current"')).toBe(true);
  });
});
