import { messagePreview, PREVIEW_CHARACTERS } from './messagePreview';

describe('messagePreview', () => {
  it('keeps a body of up to 101 characters whole', () => {
    expect(messagePreview('')).toBe('');
    expect(messagePreview('x'.repeat(101))).toBe('x'.repeat(101));
  });

  it('cuts a longer body to its first 101 characters', () => {
    expect(messagePreview('abc'.repeat(50))).toBe('abc'.repeat(50).slice(0, PREVIEW_CHARACTERS));
  });

  it('counts a character outside the BMP once, as SQL substr does', () => {
    const body = '😀'.repeat(120);
    const preview = messagePreview(body);
    expect([...preview!]).toHaveLength(PREVIEW_CHARACTERS);
    expect(preview).toBe('😀'.repeat(PREVIEW_CHARACTERS));
  });

  it('keeps a short body of astral characters whole even when its units exceed 101', () => {
    const body = '😀'.repeat(60);
    expect(messagePreview(body)).toBe(body);
  });
});
