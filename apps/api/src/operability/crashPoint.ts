/**
 * Test-only crash injection. With `MISSIVE_CRASH_AT=<step>` (or `<step>#<n>`: the n-th time the
 * step is reached) the process SIGKILLs itself there: no shutdown hook runs, as in a real
 * crash. Crash tests so kill a request at a fixed step rather than by racing it with a kill
 * from outside, which a fast machine can outrun. Unset (as in production) a step does nothing.
 */
const setting = /^([^#]+)(?:#(\d+))?$/.exec(process.env['MISSIVE_CRASH_AT'] ?? '');
const crashStep = setting?.[1];
const crashAfter = Number(setting?.[2] ?? 1);
let reached = 0;

export function crashPoint(step: string): void {
  if (step !== crashStep || ++reached < crashAfter) return;
  process.kill(process.pid, 'SIGKILL');
}
