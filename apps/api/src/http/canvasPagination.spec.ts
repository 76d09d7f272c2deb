import { canvasLinkHeader, clampPerPage, LINK_HEADER_LIMIT, parsePage } from './canvasPagination';

describe('Canvas pagination', () => {
  it('clamps per_page to 1..100 and defaults to 10', () => {
    expect(clampPerPage(undefined)).toBe(10);
    expect(clampPerPage('abc')).toBe(1);
    expect(clampPerPage('')).toBe(1);
    expect(clampPerPage(' 1_5x')).toBe(15);
    expect(clampPerPage('0')).toBe(1);
    expect(clampPerPage('-5')).toBe(1);
    expect(clampPerPage('1000')).toBe(100);
    expect(clampPerPage('25')).toBe(25);
  });

  it('accepts positive page numbers only', () => {
    expect(parsePage(undefined)).toBe(1);
    expect(parsePage('3')).toBe(3);
    expect(parsePage('0')).toBeUndefined();
    expect(parsePage('x')).toBeUndefined();
  });

  it('builds the rels in Canvas order without spaces (7 items, 3 per page)', () => {
    const base = 'http://h/api/v1/conversations';
    const header = canvasLinkHeader(
      base,
      { scope: 'unread', page: '2', per_page: '3', access_token: 'secret' },
      { page: 2, perPage: 3 },
      7,
    );
    expect(header).toBe(
      [
        `<${base}?scope=unread&page=2&per_page=3>; rel="current"`,
        `<${base}?scope=unread&page=3&per_page=3>; rel="next"`,
        `<${base}?scope=unread&page=1&per_page=3>; rel="prev"`,
        `<${base}?scope=unread&page=1&per_page=3>; rel="first"`,
        `<${base}?scope=unread&page=3&per_page=3>; rel="last"`,
      ].join(','),
    );
  });

  it('has no next on the last page and no prev on the first', () => {
    const header = canvasLinkHeader('http://h/x', {}, { page: 1, perPage: 10 }, 0);
    expect(header).toBe(
      '<http://h/x?page=1&per_page=10>; rel="current",<http://h/x?page=1&per_page=10>; rel="first",<http://h/x?page=1&per_page=10>; rel="last"',
    );
  });

  it('leaves the longest parameters out of the links until the header fits', () => {
    const long = 'x'.repeat(10_000);
    const header = canvasLinkHeader(
      'http://h/api/v1/conversations',
      { scope: 'unread', filter: ['course_1', long], include: ['participant_avatars'] },
      { page: 2, perPage: 3 },
      7,
    );
    expect(Buffer.byteLength(header)).toBeLessThanOrEqual(LINK_HEADER_LIMIT);
    expect(header).not.toContain('filter');
    expect(header).toContain(
      '<http://h/api/v1/conversations?include%5B%5D=participant_avatars&scope=unread&page=3&per_page=3>; rel="next"',
    );
  });

  it('keeps every parameter when they fit', () => {
    const ids = Array.from({ length: 40 }, (_, i) => `user_${i}`);
    const header = canvasLinkHeader('http://h/x', { filter: ids }, { page: 1, perPage: 10 }, 0);
    expect(header.split(',')[0]).toBe(
      `<http://h/x?${ids.map((id) => `filter%5B%5D=${id}`).join('&')}&page=1&per_page=10>; rel="current"`,
    );
  });

  it('falls back to relative links when the origin alone is too long', () => {
    const header = canvasLinkHeader(
      `http://${'h'.repeat(5000)}/api/v1/conversations`,
      { scope: 'unread' },
      { page: 1, perPage: 10 },
      0,
    );
    expect(header).toBe(
      '</api/v1/conversations?page=1&per_page=10>; rel="current",</api/v1/conversations?page=1&per_page=10>; rel="first",</api/v1/conversations?page=1&per_page=10>; rel="last"',
    );
  });
});
