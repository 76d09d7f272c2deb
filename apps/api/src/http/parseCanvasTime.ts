const ISO_8601 =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?)?$/i;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysIn(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1]!;
}

/**
 * Canvas's `CanvasTime.try_parse` for ISO-8601 parameters: a date (`2026-03-19`, midnight) or
 * a date-time with optional seconds, fraction and offset; no offset means UTC, the zone Canvas
 * parses in here. Anything else, impossible dates included, is `undefined`: Canvas ignores a
 * time it cannot parse rather than refusing the request. Parsed by hand because `Date.parse`
 * reads a date-time without an offset as local time and accepts non-ISO text.
 */
export function parseCanvasTime(raw: unknown): Date | undefined {
  if (typeof raw !== 'string') return undefined;
  const match = ISO_8601.exec(raw.trim());
  if (!match) return undefined;
  const [, y, mo, d, h = '0', mi = '0', s = '0', fraction = '', zone = 'Z'] = match;
  const [year, month, day, hour, minute, second] = [y, mo, d, h, mi, s].map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  let offsetMinutes = 0;
  if (zone.toUpperCase() !== 'Z') {
    const digits = zone.slice(1).replace(':', '');
    const offsetHours = Number(digits.slice(0, 2));
    const extra = Number(digits.slice(2) || '0');
    if (offsetHours > 23 || extra > 59) return undefined;
    offsetMinutes = (zone.startsWith('-') ? -1 : 1) * (offsetHours * 60 + extra);
  }
  const time = new Date(0);
  time.setUTCFullYear(year, month - 1, day);
  time.setUTCHours(hour, minute, second, Number(fraction.padEnd(3, '0').slice(0, 3)));
  return new Date(time.getTime() - offsetMinutes * 60_000);
}
