import { grownMap, grownSet } from './grow';
import { OverlaySet } from './overlaySet';

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

describe('grownSet on a large frozen set', () => {
  const many = (n: number, prefix = 'm') => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

  it('copies a frozen set of up to 63 items, and overlays one of 64', () => {
    const small = grownSet(Object.freeze(new Set(many(63))), 'x');
    expect(small).toBeInstanceOf(Set);
    expect(small.size).toBe(64);
    const large = grownSet(Object.freeze(new Set(many(64))), 'x');
    expect(large).toBeInstanceOf(OverlaySet);
    expect(large.size).toBe(65);
  });

  it('reads an overlay like a set: entries, keys and forEach, base first', () => {
    const overlay = new OverlaySet(new Set(['a', 'b']), new Set(['c']));
    expect([...overlay.entries()]).toEqual([
      ['a', 'a'],
      ['b', 'b'],
      ['c', 'c'],
    ]);
    expect([...overlay.keys()]).toEqual(['a', 'b', 'c']);
    const seen: unknown[] = [];
    const self = { name: 'this' };
    overlay.forEach(function (this: unknown, value, key, set) {
      seen.push([value, key, set === overlay, this]);
    }, self);
    expect(seen).toEqual([
      ['a', 'a', true, self],
      ['b', 'b', true, self],
      ['c', 'c', true, self],
    ]);
  });

  it('overlays it instead of copying it, and never changes it', () => {
    const shared = Object.freeze(new Set(many(1000)));
    const grown = grownSet(shared, 'x', 'm5');
    expect(grown).toBeInstanceOf(OverlaySet);
    expect((grown as OverlaySet<string>).base).toBe(shared);
    expect(grown.size).toBe(1001);
    expect(grown.has('x') && grown.has('m5') && grown.has('m999')).toBe(true);
    expect(shared.has('x')).toBe(false);
    expect([...grown].slice(-2)).toEqual(['m999', 'x']);
    // Not frozen: the fold's own, grown in place.
    expect(grownSet(grown, 'y')).toBe(grown);
    expect(grown.size).toBe(1002);
  });

  it('copies only the additions of a frozen overlay, then flattens them into a new base', () => {
    let state: ReadonlySet<string> = Object.freeze(new Set(many(800)));
    const frozenStates: ReadonlySet<string>[] = [];
    for (let i = 0; i < 150; i++) {
      state = grownSet(state, `n${i}`);
      // What the aggregate cache does with each new state.
      Object.freeze(state);
      if (state instanceof OverlaySet) Object.freeze(state.added);
      frozenStates.push(state);
    }
    expect(state.size).toBe(950);
    expect([...state]).toEqual([...many(800), ...many(150, 'n')]);
    // Every earlier state still holds exactly what it held when it was cached.
    frozenStates.forEach((s, i) => {
      expect(s.size).toBe(801 + i);
      expect(s.has(`n${i}`)).toBe(true);
      expect(s.has(`n${i + 1}`)).toBe(false);
    });
    // At 100 additions (an eighth of 800) the overlay was folded into one flat set.
    expect(frozenStates[99]).toBeInstanceOf(OverlaySet);
    expect(frozenStates[100]).toBeInstanceOf(Set);
    expect(frozenStates[101]).toBeInstanceOf(OverlaySet);
  });
});
