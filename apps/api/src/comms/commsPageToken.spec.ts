import { decodePageToken, encodePageToken, sameFilters } from './commsPageToken';

const FILTERS = ['status', 'tags'];

describe('Comms page tokens', () => {
  it('round-trips the cursor and the filters, URL-safe', () => {
    const cursor = {
      after: '01jabcdefghjkmnpqrstvwxyz0',
      filters: { status: 'SENT', tags: 'a:b;' },
    };
    const token = encodePageToken(cursor);
    expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodePageToken(token, FILTERS)).toEqual(cursor);
    expect(decodePageToken(encodePageToken({ after: null, filters: {} }), FILTERS)).toEqual({
      after: null,
      filters: {},
    });
  });

  it('refuses anything it did not issue', () => {
    const json = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    for (const bad of [
      '',
      'not base64!',
      'e30', // {}
      json({ v: 2, a: null, f: {} }),
      json({ v: 1, a: 'nope', f: {} }),
      json({ v: 1, a: null, f: { other: 'x' } }),
      json({ v: 1, a: null, f: { status: 1 } }),
      json({ v: 1, a: null, f: [] }),
      Buffer.from('{"v":1').toString('base64url'),
    ]) {
      expect(decodePageToken(bad, FILTERS)).toBeNull();
    }
  });

  it('compares filters exactly', () => {
    expect(sameFilters({ status: 'SENT' }, { status: 'SENT' })).toBe(true);
    expect(sameFilters({ status: 'SENT' }, { status: 'SENT', tags: 'a:b;' })).toBe(false);
    expect(sameFilters({ status: 'SENT' }, { status: 'QUEUED' })).toBe(false);
  });
});
