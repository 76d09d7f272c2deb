import { grownMap, grownSet } from './grow';

describe('grownSet', () => {
  it('grows a set in place while a stream is folded', () => {
    const set = new Set(['a']);
    expect(grownSet(set, 'b', 'c')).toBe(set);
    expect([...set]).toEqual(['a', 'b', 'c']);
  });

  it('copies a frozen (cached, shared) set before growing it', () => {
    const shared = Object.freeze(new Set(['a']));
    const grown = grownSet(shared, 'b');
    expect(grown).not.toBe(shared);
    expect([...grown]).toEqual(['a', 'b']);
    expect([...shared]).toEqual(['a']);
    // The copy is the fold's own: the next event grows it in place.
    expect(grownSet(grown, 'c')).toBe(grown);
  });
});

describe('grownMap', () => {
  it('grows a map in place, or a copy of a frozen one', () => {
    const map = new Map([['a', 1]]);
    expect(grownMap(map, 'b', 2)).toBe(map);
    const shared = Object.freeze(new Map([['a', 1]]));
    const grown = grownMap(shared, 'b', 2);
    expect([...grown]).toEqual([
      ['a', 1],
      ['b', 2],
    ]);
    expect([...shared]).toEqual([['a', 1]]);
  });
});
