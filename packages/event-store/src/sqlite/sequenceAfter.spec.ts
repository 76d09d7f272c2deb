import type Database from 'better-sqlite3';
import { UnknownPositionError } from '../unknownPositionError';
import { sequenceAfter } from './sequenceAfter';

/** The two lookups sequenceAfter makes, over a log holding exactly `positions`. */
function logWith(...positions: number[]) {
  const statement = (get: (position?: number) => unknown) => ({ get }) as Database.Statement;
  return {
    hasPosition: statement((p) => (positions.includes(p!) ? 1 : undefined)),
    maxPosition: statement(() => (positions.length === 0 ? null : Math.max(...positions))),
  };
}

const at = (commit: bigint, prepare = commit) => ({ commit, prepare });

function refusal(log: ReturnType<typeof logWith>, position: ReturnType<typeof at>) {
  try {
    sequenceAfter(log, position);
  } catch (error) {
    expect(error).toBeInstanceOf(UnknownPositionError);
    return (error as UnknownPositionError).message;
  }
  throw new Error('expected sequenceAfter to refuse the position');
}

describe('sequenceAfter', () => {
  it('starts at 0 from the start, and right after an event it has', () => {
    const log = logWith(1, 2, 3);
    expect(sequenceAfter(log, undefined)).toBe(0);
    expect(sequenceAfter(log, 'start')).toBe(0);
    expect(sequenceAfter(log, at(1n))).toBe(1);
    expect(sequenceAfter(log, at(3n))).toBe(3);
  });

  it('refuses positions this store never gives: unequal parts, 0, or beyond a safe integer', () => {
    const log = logWith(1, 2, 3);
    const reason = 'this store gives equal commit and prepare parts';
    expect(refusal(log, at(2n, 3n))).toBe(
      `2/3 is not the position of an event in this log: ${reason}`,
    );
    expect(refusal(log, at(0n))).toBe(`0/0 is not the position of an event in this log: ${reason}`);
    const unsafe = BigInt(Number.MAX_SAFE_INTEGER) + 1n;
    expect(refusal(log, at(unsafe))).toBe(
      `${unsafe}/${unsafe} is not the position of an event in this log: ${reason}`,
    );
  });

  it('says whether a position it lacks is past the end or inside the log', () => {
    const gap = logWith(1, 3);
    expect(refusal(gap, at(4n))).toBe(
      '4/4 is not the position of an event in this log: it is past the end of the log',
    );
    expect(refusal(logWith(), at(1n))).toBe(
      '1/1 is not the position of an event in this log: it is past the end of the log',
    );
    const safe = BigInt(Number.MAX_SAFE_INTEGER);
    expect(refusal(gap, at(safe))).toBe(
      `${safe}/${safe} is not the position of an event in this log: it is past the end of the log`,
    );
    expect(refusal(gap, at(2n))).toBe(
      '2/2 is not the position of an event in this log: no event has it',
    );
  });
});
