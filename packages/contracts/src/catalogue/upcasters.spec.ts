import { upcastWith, type UpcasterTable } from './upcasters';

/** A made-up history: v1 had `name`, v2 split it, v3 added `tags`. */
const table: UpcasterTable = {
  Renamed: {
    1: ({ name, ...rest }) => {
      const [first, ...last] = String(name).split(' ');
      return { ...rest, firstName: first, lastName: last.join(' ') };
    },
    2: (data) => ({ ...data, tags: data['tags'] ?? [] }),
  },
};
const versionOf = (type: string) => (type === 'Renamed' ? 3 : 1);

describe('upcastWith', () => {
  it('applies every step from the stored version to the current one, in order', () => {
    expect(
      upcastWith(table, versionOf, 'Renamed', 1, { id: '7', name: 'Ada King Lovelace' }),
    ).toEqual({
      version: 3,
      data: { id: '7', firstName: 'Ada', lastName: 'King Lovelace', tags: [] },
    });
    expect(
      upcastWith(table, versionOf, 'Renamed', 2, { id: '7', firstName: 'Ada', lastName: 'L' }),
    ).toEqual({ version: 3, data: { id: '7', firstName: 'Ada', lastName: 'L', tags: [] } });
  });

  it('treats a missing version as 1 and leaves current payloads alone', () => {
    expect(upcastWith(table, versionOf, 'Renamed', undefined, { name: 'Bo' }).version).toBe(3);
    const current = { firstName: 'Bo', lastName: '', tags: ['x'] };
    expect(upcastWith(table, versionOf, 'Renamed', 3, current).data).toBe(current);
  });

  it('refuses a gap in the chain and a payload newer than the code', () => {
    expect(() => upcastWith({}, versionOf, 'Renamed', 1, {})).toThrow(
      'no upcaster for Renamed v1 -> v2',
    );
    expect(() => upcastWith(table, versionOf, 'Renamed', 4, {})).toThrow('newer than this code');
  });
});
