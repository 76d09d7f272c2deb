/**
 * An async iterable over `source` that takes up to `size` items at a time and passes each
 * batch through `transform` (one await a batch) before handing its items out. Hand-written
 * rather than an async generator, which would cost several promise hops an item: a rebuild or
 * an audit reads hundreds of thousands of events this way. A reader that stops early (break,
 * return, throw) ends the source too, so a server-side read is not left open.
 */
export function readAhead<T>(
  source: AsyncIterable<T>,
  size: number,
  transform: (batch: T[]) => Promise<readonly T[]>,
): AsyncIterable<T> {
  return {
    [Symbol.asyncIterator](): AsyncIterator<T> {
      const inner = source[Symbol.asyncIterator]();
      let items: readonly T[] = [];
      let index = 0;
      let exhausted = false;
      const fill = async (): Promise<IteratorResult<T>> => {
        while (index >= items.length) {
          if (exhausted) return { done: true, value: undefined };
          const batch: T[] = [];
          while (batch.length < size) {
            const next = await inner.next();
            if (next.done) {
              exhausted = true;
              break;
            }
            batch.push(next.value);
          }
          items = batch.length > 0 ? await transform(batch) : [];
          index = 0;
        }
        return { done: false, value: items[index++]! };
      };
      return {
        next(): Promise<IteratorResult<T>> {
          if (index < items.length) return Promise.resolve({ done: false, value: items[index++]! });
          return fill().catch(async (error: unknown) => {
            exhausted = true;
            items = [];
            await inner.return?.();
            throw error;
          });
        },
        async return(): Promise<IteratorResult<T>> {
          const wasOpen = !exhausted;
          exhausted = true;
          items = [];
          if (wasOpen) await inner.return?.();
          return { done: true, value: undefined };
        },
      };
    },
  };
}
