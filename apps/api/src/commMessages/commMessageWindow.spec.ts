import { commMessageWindow, yearBefore } from './commMessageWindow';

const now = new Date('2026-11-23T10:00:00.250Z');
const window = (start_time?: unknown, end_time?: unknown) => {
  const w = commMessageWindow({ start_time, end_time }, now);
  return [w.startTime.toISOString(), w.endTime?.toISOString()];
};

describe('commMessageWindow', () => {
  it('starts a year back when no start is given, or an unreadable one, or an older one', () => {
    const yearAgo = '2025-11-23T10:00:00.250Z';
    expect(window()).toEqual([yearAgo, undefined]);
    expect(window('last week', 'soon')).toEqual([yearAgo, undefined]);
    expect(window('2020-01-01')).toEqual([yearAgo, undefined]);
  });

  it('widens the bounds to whole seconds, both inclusive', () => {
    expect(window('2026-06-01T08:00:00.900Z', '2026-06-02T08:00:00Z')).toEqual([
      '2026-06-01T08:00:00.000Z',
      '2026-06-02T08:00:00.999Z',
    ]);
    expect(window(undefined, '2026-06-02')).toEqual([
      '2025-11-23T10:00:00.250Z',
      '2026-06-02T00:00:00.999Z',
    ]);
  });

  it('goes back a calendar year, Feb 29 landing on Feb 28', () => {
    expect(yearBefore(new Date('2028-02-29T12:00:00Z')).toISOString()).toBe(
      '2027-02-28T12:00:00.000Z',
    );
    expect(yearBefore(new Date('2027-03-01T00:00:00Z')).toISOString()).toBe(
      '2026-03-01T00:00:00.000Z',
    );
  });
});
