import { parseCanvasTime } from '../http/parseCanvasTime';

export interface CommMessageWindow {
  /** Inclusive. Never earlier than a year before now. */
  startTime: Date;
  /** Inclusive; undefined: up to now. */
  endTime: Date | undefined;
}

/** Rails `1.year.ago`: the same calendar day a year earlier, Feb 29 becoming Feb 28. */
export function yearBefore(now: Date): Date {
  const then = new Date(now.getTime());
  then.setUTCFullYear(now.getUTCFullYear() - 1);
  if (then.getUTCMonth() !== now.getUTCMonth()) then.setUTCDate(0);
  return then;
}

const SECOND = 1000;

/**
 * The created_at range `start_time`/`end_time` ask for: inclusive,
 * unparsable values ignored, and no earlier than a year ago, the history CommMessages keeps.
 * Bounds are whole seconds, the precision the API shows times in: `end_time` set to a message's
 * `created_at` as listed includes that message, whatever milliseconds it was created at.
 */
export function commMessageWindow(
  params: { start_time?: unknown; end_time?: unknown },
  now: Date,
): CommMessageWindow {
  const floor = yearBefore(now);
  const start = parseCanvasTime(params.start_time);
  const end = parseCanvasTime(params.end_time);
  const startSecond = start && new Date(Math.floor(start.getTime() / SECOND) * SECOND);
  return {
    startTime: startSecond && startSecond > floor ? startSecond : floor,
    endTime: end && new Date(Math.floor(end.getTime() / SECOND) * SECOND + SECOND - 1),
  };
}
