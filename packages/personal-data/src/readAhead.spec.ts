import { readAhead } from './readAhead';

/** A source that records how far it was read and whether it was ended. */
function source(count: number) {
  const log = { pulled: 0, ended: false };
  const iterable: AsyncIterable<number> = {
    [Symbol.asyncIterator]: () => ({
      next: async () => {
        if (log.pulled >= count) return { done: true, value: undefined };
        return { done: false, value: log.pulled++ };
      },
      return: async () => {
        log.ended = true;
        return { done: true, value: undefined };
      },
    }),
  };
  return { iterable, log };
}

describe('readAhead', () => {
  it('hands out every item in order, transformed a batch at a time', async () => {
    const { iterable } = source(7);
    const batches: number[][] = [];
    const out: number[] = [];
    for await (const item of readAhead(iterable, 3, async (batch) => {
      batches.push([...batch]);
      return batch.map((n) => n * 10);
    })) {
      out.push(item);
    }
    expect(out).toEqual([0, 10, 20, 30, 40, 50, 60]);
    expect(batches).toEqual([[0, 1, 2], [3, 4, 5], [6]]);
  });

  it('never calls the transform for an empty source', async () => {
    const transform = jest.fn(async (batch: number[]) => batch);
    const out: number[] = [];
    for await (const item of readAhead(source(0).iterable, 4, transform)) out.push(item);
    expect(out).toEqual([]);
    expect(transform).not.toHaveBeenCalled();
  });

  it('reads no further than one batch ahead, and ends the source when the reader stops', async () => {
    const { iterable, log } = source(100);
    for await (const item of readAhead(iterable, 4, async (b) => b)) {
      if (item === 5) break;
    }
    expect(log.pulled).toBe(8);
    expect(log.ended).toBe(true);
  });

  it('ends the source and rejects when the transform fails', async () => {
    const { iterable, log } = source(10);
    const read = async () => {
      for await (const _ of readAhead(iterable, 4, async () => {
        throw new Error('no keys');
      })) {
        // never reached
      }
    };
    await expect(read()).rejects.toThrow('no keys');
    expect(log.ended).toBe(true);
  });
});
