import { IdGenerator } from './idGenerator';

describe('IdGenerator', () => {
  it('issues unique, increasing ids below 2^53 even past 64 ids in one millisecond', () => {
    const gen = new IdGenerator(5, () => Date.UTC(2026, 5, 1));
    const ids = Array.from({ length: 1000 }, () => gen.next());
    expect(new Set(ids).size).toBe(1000);
    const nums = ids.map(Number);
    for (let i = 1; i < nums.length; i++) expect(nums[i]).toBeGreaterThan(nums[i - 1]!);
    expect(nums.every((n) => Number.isSafeInteger(n))).toBe(true);
  });

  it('never collides across nodes at the same instant', () => {
    const now = () => Date.UTC(2026, 5, 1);
    const a = new IdGenerator(1, now);
    const b = new IdGenerator(2, now);
    const ids = new Set<string>();
    for (let i = 0; i < 500; i++) ids.add(a.next()).add(b.next());
    expect(ids.size).toBe(1000);
  });

  it('keeps increasing when the clock steps back', () => {
    let t = Date.UTC(2026, 5, 1);
    const gen = new IdGenerator(0, () => t);
    const first = Number(gen.next());
    t -= 10_000;
    expect(Number(gen.next())).toBeGreaterThan(first);
  });

  it('stays a safe integer in 2090', () => {
    const gen = new IdGenerator(63, () => Date.UTC(2090, 0, 1));
    expect(Number.isSafeInteger(Number(gen.next()))).toBe(true);
  });

  it('rejects node ids outside 0..63', () => {
    expect(() => new IdGenerator(64)).toThrow(RangeError);
  });
});
