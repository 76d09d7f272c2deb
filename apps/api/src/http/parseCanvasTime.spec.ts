import { parseCanvasTime } from './parseCanvasTime';

const iso = (raw: unknown) => parseCanvasTime(raw)?.toISOString();

describe('parseCanvasTime', () => {
  it('reads ISO-8601 dates and date-times, UTC unless an offset is given', () => {
    expect(iso('2026-03-19')).toBe('2026-03-19T00:00:00.000Z');
    expect(iso('2026-03-19T21:00:00Z')).toBe('2026-03-19T21:00:00.000Z');
    expect(iso('2026-03-19T21:00:00.1234z')).toBe('2026-03-19T21:00:00.123Z');
    expect(iso('2026-03-19 21:00')).toBe('2026-03-19T21:00:00.000Z');
    expect(iso('2026-03-19T21:00:00')).toBe('2026-03-19T21:00:00.000Z');
    expect(iso('2026-03-19T21:00:00-06:00')).toBe('2026-03-20T03:00:00.000Z');
    expect(iso('2026-03-19T21:00:00+0530')).toBe('2026-03-19T15:30:00.000Z');
    expect(iso('2026-03-19T21:00:00+01')).toBe('2026-03-19T20:00:00.000Z');
    expect(iso(' 2024-02-29T00:00:00Z ')).toBe('2024-02-29T00:00:00.000Z');
    expect(iso('0099-01-01')).toBe('0099-01-01T00:00:00.000Z');
  });

  it('gives undefined for anything it cannot read, so the bound is ignored', () => {
    for (const raw of [
      undefined,
      '',
      'yesterday',
      'March 19 2026',
      '1700000000',
      '2026-02-29',
      '2026-13-01',
      '2026-03-19T24:00:00Z',
      '2026-03-19T21:60:00Z',
      '2026-03-19T21:00:00+25:00',
      '2026-03-19T21:00:00Zjunk',
      ['2026-03-19'],
      { a: '2026-03-19' },
      20260319,
    ]) {
      expect(parseCanvasTime(raw)).toBeUndefined();
    }
  });
});
