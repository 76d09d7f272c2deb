import { AggregateCache } from './aggregateCache';

const evolve = () => null;
const otherEvolve = () => null;

describe('AggregateCache', () => {
  it('counts a miss, then a hit once the state is stored', () => {
    const cache = new AggregateCache();
    expect(cache.get('s-1', evolve)).toBeUndefined();
    cache.set('s-1', evolve, 3, { n: 3 });
    expect(cache.get('s-1', evolve)).toEqual({ revision: 3, state: { n: 3 } });
    expect(cache.stats).toEqual({ hits: 1, misses: 1, evictions: 0 });
  });

  it('keeps states folded by different evolve functions apart', () => {
    const cache = new AggregateCache();
    cache.set('s-1', evolve, 0, { n: 0 });
    expect(cache.get('s-1', otherEvolve)).toBeUndefined();
  });

  it('ignores a revision older than the one it holds', () => {
    const cache = new AggregateCache();
    cache.set('s-1', evolve, 5, { n: 5 });
    cache.set('s-1', evolve, 4, { n: 4 });
    expect(cache.get('s-1', evolve)?.revision).toBe(5);
    cache.set('s-1', evolve, 6, { n: 6 });
    expect(cache.get('s-1', evolve)).toEqual({ revision: 6, state: { n: 6 } });
  });

  it('drops the least recently used stream when full', () => {
    const cache = new AggregateCache(2);
    cache.set('a', evolve, 0, {});
    cache.set('b', evolve, 0, {});
    cache.get('a', evolve); // a is now more recent than b
    cache.set('c', evolve, 0, {});
    expect(cache.size).toBe(2);
    expect(cache.get('b', evolve)).toBeUndefined();
    expect(cache.get('a', evolve)).toBeDefined();
    expect(cache.get('c', evolve)).toBeDefined();
    expect(cache.stats.evictions).toBe(1);
  });

  it('freezes what it stores, collections and nested objects included', () => {
    const cache = new AggregateCache();
    const state = {
      ids: new Set(['1']),
      byId: new Map([['1', { name: 'x' }]]),
      list: [{ deep: true }],
    };
    cache.set('s-1', evolve, 0, state);
    expect(Object.isFrozen(state)).toBe(true);
    expect(Object.isFrozen(state.ids)).toBe(true);
    expect(Object.isFrozen(state.byId)).toBe(true);
    expect(Object.isFrozen(state.byId.get('1'))).toBe(true);
    expect(Object.isFrozen(state.list[0])).toBe(true);
    expect(() => {
      (state as { extra?: number }).extra = 1;
    }).toThrow(TypeError);
  });

  it('forgets a stream on delete and everything on clear', () => {
    const cache = new AggregateCache();
    cache.set('a', evolve, 0, {});
    cache.set('b', evolve, 0, {});
    cache.delete('a');
    expect(cache.get('a', evolve)).toBeUndefined();
    cache.clear();
    expect(cache.size).toBe(0);
  });

  it('refuses a size below one', () => {
    expect(() => new AggregateCache(0)).toThrow('maxStreams');
  });
});
