import { privateHashOf } from './privateHash';

describe('privateHashOf', () => {
  it('is the SHA1 of the numerically sorted unique ids, with the context suffix', () => {
    // Expected values from `printf '2,10' | sha1sum` and `printf '2,10|Course_42' | sha1sum`.
    expect(privateHashOf(['10', '2', '2'])).toBe('d6e44e94cf24b0beffbd777159db028aa0eb0995');
    expect(privateHashOf(['10', '2'], { type: 'Course', id: '42' })).toBe(
      '0bd2498bb5f65c16ae0fd44c492988e444b25a97',
    );
  });
});

describe('privateHashOf and participant order', () => {
  it('gives the same hash whatever order the participants come in', () => {
    const orders = [
      ['3', '10', '2', '25'],
      ['25', '10', '3', '2'],
      ['2', '3', '10', '25'],
      ['10', '25', '2', '3', '2'],
    ];
    const hashes = orders.map((ids) => privateHashOf(ids));
    expect(new Set(hashes).size).toBe(1);
    // Numeric order, not string order: 2,3,10,25 (`printf '2,3,10,25' | sha1sum`).
    expect(hashes[0]).toBe('57f279862dc737600a812d901d7c86725b342512');
  });
});
