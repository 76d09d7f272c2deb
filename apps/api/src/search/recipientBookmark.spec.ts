import { bookmarkLinkHeader } from './bookmarkLinkHeader';
import { decodeBookmark, encodeBookmark, type RecipientBookmark } from './recipientBookmark';

describe('recipient bookmarks', () => {
  it('round-trips both collections as unpadded base64url JSON', () => {
    const bookmarks: RecipientBookmark[] = [
      { collection: 'contexts', after: { name: 'Biology ü', kind: 'group', id: '9' } },
      { collection: 'participants', after: { sortableName: 'Doe, Jane', id: '7' } },
    ];
    for (const bookmark of bookmarks) {
      const page = encodeBookmark(bookmark);
      expect(page).toMatch(/^bookmark:[A-Za-z0-9_-]+$/);
      expect(decodeBookmark(page)).toEqual(bookmark);
    }
    expect(
      Buffer.from(encodeBookmark(bookmarks[1]!).slice('bookmark:'.length), 'base64url').toString(),
    ).toBe('["participants",["Doe, Jane","7"]]');
  });

  it('starts at the first page, and refuses anything it did not write', () => {
    for (const first of [undefined, '', 'first', '1']) expect(decodeBookmark(first)).toBeNull();
    const bad = (json: string) => `bookmark:${Buffer.from(json).toString('base64url')}`;
    for (const page of [
      '2',
      'last',
      ['first'],
      'bookmark:%%%',
      bad('{"a":1}'),
      bad('["contexts",["x","section","1"]]'),
      bad('["participants",["x","1e3"]]'),
      bad('["participants",[1,"1"]]'),
    ]) {
      expect(decodeBookmark(page)).toBeUndefined();
    }
  });
});

describe('bookmark Link header', () => {
  const url = 'https://x.test/api/v1/search/recipients';

  it('links current, next and first, keeping the other query params in Rails order', () => {
    expect(
      bookmarkLinkHeader(
        url,
        { search: 'j d', exclude: ['1'], page: 'first', access_token: 't' },
        { current: 'first', next: 'bookmark:abc' },
        5,
      ),
    ).toBe(
      `<${url}?exclude%5B%5D=1&search=j+d&page=first&per_page=5>; rel="current",` +
        `<${url}?exclude%5B%5D=1&search=j+d&page=bookmark:abc&per_page=5>; rel="next",` +
        `<${url}?exclude%5B%5D=1&search=j+d&page=first&per_page=5>; rel="first"`,
    );
  });

  it('drops links past about 6 KB, next last of all', () => {
    const search = 'x'.repeat(2500);
    const header = bookmarkLinkHeader(url, { search }, { current: 'first', next: 'b' }, 10)!;
    expect(header.split(',').map((l) => /rel="(\w+)"/.exec(l)![1])).toEqual(['current', 'next']);
    expect(bookmarkLinkHeader(url, { search: 'x'.repeat(7000) }, { current: 'first' }, 10)).toBe(
      undefined,
    );
  });
});
