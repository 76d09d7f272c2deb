import { truncateText } from './truncateText';

describe('truncateText', () => {
  it('leaves short text alone', () => {
    expect(truncateText('hello')).toBe('hello');
    expect(truncateText('x'.repeat(100))).toBe('x'.repeat(100));
  });

  it('cuts at a word boundary and stays within 100 characters', () => {
    const text = `${'word '.repeat(30)}end`;
    const out = truncateText(text);
    expect(out.length).toBeLessThanOrEqual(100);
    expect(out.endsWith('word...')).toBe(true);
  });

  it('hard-cuts a single long word', () => {
    expect(truncateText('y'.repeat(150))).toBe(`${'y'.repeat(97)}...`);
  });
});
