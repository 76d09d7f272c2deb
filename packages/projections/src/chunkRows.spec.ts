import { chunkRows } from './chunkRows';

describe('chunkRows', () => {
  it('keeps each chunk under the parameter limit', () => {
    const rows = Array.from({ length: 2501 }, (_, i) => i);
    const chunks = chunkRows(rows, 12, 12_000);
    expect(chunks.map((chunk) => chunk.length)).toEqual([1000, 1000, 501]);
    expect(chunks.flat()).toEqual(rows);
    expect(chunkRows([], 5)).toEqual([]);
  });
});
