import { checkCommsTags, commsTagsProblem, parseTagsFilter } from './commsTags';
import { commsExpiresAt, commsRecordExpiresAt, commsStreamMaxAgeSeconds } from './commsRetention';

describe('Comms tags', () => {
  it('accepts up to 10 URL-safe pairs within the lengths', () => {
    expect(commsTagsProblem({})).toBeNull();
    expect(commsTagsProblem({ 'region.eu_1~x-y': 'EMEA', campaign: 'BUY_STUFF' })).toBeNull();
    const ten = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`k${i}`, 'v']));
    expect(commsTagsProblem(ten)).toBeNull();
    expect(commsTagsProblem({ ['k'.repeat(128)]: 'v'.repeat(256) })).toBeNull();
  });

  it('refuses more pairs, long or odd keys and values, and non-strings', () => {
    const eleven = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`k${i}`, 'v']));
    expect(commsTagsProblem(eleven)).toMatch(/at most 10/);
    expect(commsTagsProblem({ ['k'.repeat(129)]: 'v' })).toMatch(/key/);
    expect(commsTagsProblem({ k: 'v'.repeat(257) })).toMatch(/value/);
    expect(commsTagsProblem({ 'a b': 'v' })).toMatch(/key/);
    expect(commsTagsProblem({ '': 'v' })).toMatch(/key/);
    expect(commsTagsProblem({ k: '' })).toMatch(/value/);
    expect(commsTagsProblem({ k: 1 })).toMatch(/value/);
    expect(() => checkCommsTags({ k: 'a:b' })).toThrow(
      expect.objectContaining({ attribute: 'tags' }),
    );
  });

  it('parses the list filter: every pair ends with a semicolon, 1 to 10 pairs', () => {
    expect(parseTagsFilter('region:EMEA;campaign:BUY_STUFF;')).toEqual([
      ['region', 'EMEA'],
      ['campaign', 'BUY_STUFF'],
    ]);
    expect(parseTagsFilter('a:1;a:1;a:2;')).toEqual([
      ['a', '1'],
      ['a', '2'],
    ]);
    for (const bad of ['region:EMEA', 'region;', ':x;', 'a:b:c;', '', 'a:1;'.repeat(11)]) {
      expect(parseTagsFilter(bad)).toBeNull();
    }
  });
});

describe('Comms retention', () => {
  it('keeps records 7 days after creation, or after the scheduled send', () => {
    expect(commsExpiresAt('2026-01-01T00:00:00.000Z', null)).toBe('2026-01-08T00:00:00.000Z');
    expect(commsExpiresAt('2026-01-01T00:00:00.000Z', '2026-01-21T00:00:00.000Z')).toBe(
      '2026-01-28T00:00:00.000Z',
    );
    // COMMS_RETENTION_SECONDS other than the 7 days.
    expect(commsExpiresAt('2026-01-01T00:00:00.000Z', null, 5_000)).toBe(
      '2026-01-01T00:00:05.000Z',
    );
    expect(commsExpiresAt('2026-01-01T00:00:00.000Z', '2026-01-02T00:00:00.000Z', 86_400_000)).toBe(
      '2026-01-03T00:00:00.000Z',
    );
    // The creation event states its end; one written before it did had the 7 days.
    const created = { createdAt: '2026-01-01T00:00:00.000Z', scheduledFor: null };
    expect(commsRecordExpiresAt({ ...created, expiresAt: '2026-01-01T00:00:05.000Z' })).toBe(
      '2026-01-01T00:00:05.000Z',
    );
    expect(commsRecordExpiresAt(created)).toBe('2026-01-08T00:00:00.000Z');
    expect(commsStreamMaxAgeSeconds('2026-01-01T00:00:00.000Z', '2026-01-08T00:00:00.000Z')).toBe(
      7 * 86400,
    );
    expect(commsStreamMaxAgeSeconds('2026-01-01T00:00:00.000Z', '2026-01-01T00:00:05.000Z')).toBe(
      5,
    );
  });
});
