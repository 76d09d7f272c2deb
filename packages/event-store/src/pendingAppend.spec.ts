import { type PendingAppend, takeBatch } from './pendingAppend';

const append = (stream: string, n: number): PendingAppend => ({
  stream,
  expected: 'any',
  events: [{ id: `${stream}-${n}`, key: n, type: 'T', data: '{}', metadata: null }],
  resolve: () => undefined,
  reject: () => undefined,
});

const ids = (appends: readonly PendingAppend[]) => appends.map((a) => a.events[0]!.id);

describe('takeBatch', () => {
  it('takes the first appends in order, up to the limit', () => {
    const queue = [append('a', 1), append('b', 1), append('c', 1)];
    expect(ids(takeBatch(queue, new Set(), 2))).toEqual(['a-1', 'b-1']);
    expect(ids(queue)).toEqual(['c-1']);
  });

  it('leaves every append of a busy stream, in order, for a later batch', () => {
    const queue = [append('a', 2), append('b', 1), append('a', 3), append('c', 1)];
    expect(ids(takeBatch(queue, new Set(['a']), 10))).toEqual(['b-1', 'c-1']);
    expect(ids(queue)).toEqual(['a-2', 'a-3']);
  });

  it('keeps what the limit leaves behind in its order', () => {
    const queue = [append('a', 1), append('b', 1), append('c', 1), append('d', 1)];
    expect(ids(takeBatch(queue, new Set(['b']), 2))).toEqual(['a-1', 'c-1']);
    expect(ids(queue)).toEqual(['b-1', 'd-1']);
  });
});
