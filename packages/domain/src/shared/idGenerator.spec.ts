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

  it('lays out milliseconds since 2025, then the node, then the sequence', () => {
    const epoch = Date.UTC(2025, 0, 1);
    let t = epoch + 1000;
    const gen = new IdGenerator(5, () => t);
    const idOf = (ms: number, seq: number) => String(ms * 2 ** 12 + 5 * 2 ** 6 + seq);
    expect([gen.next(), gen.next()]).toEqual([idOf(1000, 0), idOf(1000, 1)]);
    t += 1;
    const sameMs = Array.from({ length: 65 }, () => gen.next());
    // The 65th id of a millisecond borrows the next one.
    expect(sameMs[0]).toBe(idOf(1001, 0));
    expect(sameMs[63]).toBe(idOf(1001, 63));
    expect(sameMs[64]).toBe(idOf(1002, 0));
    t -= 10_000;
    expect(gen.next()).toBe(idOf(1002, 1));
    t += 20_000;
    expect(gen.next()).toBe(idOf(11_001, 0));
  });

  it('takes node ids 0..63 only', () => {
    expect(() => new IdGenerator(0)).not.toThrow();
    expect(() => new IdGenerator(63)).not.toThrow();
    for (const [nodeId, shown] of [
      [64, '64'],
      [-1, '-1'],
      [1.5, '1.5'],
    ] as const) {
      expect(() => new IdGenerator(nodeId)).toThrow(
        new RangeError(`node id must be an integer in 0..63, got ${shown}`),
      );
    }
  });
});
