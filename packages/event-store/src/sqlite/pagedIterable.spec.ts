import { pagedIterable, type Page } from './pagedIterable';

/** Pages of `size` numbers from 0 to `count` - 1, recording each cursor asked for. */
function numbers(count: number, size: number) {
  const asked: number[] = [];
  const iterable = pagedIterable(0, (from): Page<number, number> => {
    asked.push(from);
    const items = Array.from(
      { length: Math.max(0, Math.min(size, count - from)) },
      (_, i) => from + i,
    );
    return { items, next: from + items.length, last: from + items.length >= count };
  });
  return { iterable, asked };
}

describe('pagedIterable', () => {
  it('yields every item of every page, fetching a page only when the last one is used up', async () => {
    const { iterable, asked } = numbers(5, 2);
    const iterator = iterable[Symbol.asyncIterator]();

    expect(await iterator.next()).toEqual({ done: false, value: 0 });
    expect(asked).toEqual([0]);
    const rest: number[] = [];
    for (let r = await iterator.next(); !r.done; r = await iterator.next()) rest.push(r.value);

    expect(rest).toEqual([1, 2, 3, 4]);
    expect(asked).toEqual([0, 2, 4]);
    expect(await iterator.next()).toEqual({ done: true, value: undefined });
    expect(asked).toEqual([0, 2, 4]);
  });

  it('skips empty pages that are not the last', async () => {
    const pages: Page<string, number>[] = [
      { items: [], next: 1, last: false },
      { items: ['a'], next: 2, last: false },
      { items: [], next: 3, last: true },
    ];
    const items: string[] = [];
    for await (const item of pagedIterable(0, (cursor) => pages[cursor]!)) items.push(item);
    expect(items).toEqual(['a']);
  });

  it('ends after a page fails: the error once, then done', async () => {
    let calls = 0;
    const iterator = pagedIterable(0, (): Page<number, number> => {
      calls += 1;
      throw new Error('no such position');
    })[Symbol.asyncIterator]();

    await expect(iterator.next()).rejects.toThrow('no such position');
    expect(await iterator.next()).toEqual({ done: true, value: undefined });
    expect(calls).toBe(1);
  });

  it('ends when returned early, fetching nothing more', async () => {
    const { iterable, asked } = numbers(10, 2);
    const iterator = iterable[Symbol.asyncIterator]();
    await iterator.next();

    expect(await iterator.return!()).toEqual({ done: true, value: undefined });
    expect(await iterator.next()).toEqual({ done: true, value: undefined });
    expect(asked).toEqual([0]);
  });
});
