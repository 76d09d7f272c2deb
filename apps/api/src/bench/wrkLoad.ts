import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface WrkResult {
  requests: number;
  ms: number;
  errors: number;
  p50Ms: number;
  p99Ms: number;
}

/** Whether `wrk` (Debian package `wrk`) is on the PATH. */
export function hasWrk(): boolean {
  try {
    execFileSync('wrk', ['--version'], { stdio: 'ignore' });
    return true;
  } catch (error) {
    // wrk prints its version and exits 1; only a missing binary is ENOENT.
    return (error as NodeJS.ErrnoException).code !== 'ENOENT';
  }
}

/**
 * Closed-loop load from wrk: `connections` keep-alive connections on one thread, each sending
 * its next request as soon as the previous answer is read, as the Node client does. wrk costs
 * a fraction of the Node client's ~140 µs of CPU per request, which on a 2-core machine leaves
 * the server the CPU the client would take. `requestLua` is the body of wrk's `request()`
 * (a counter `i` is in scope and incremented after it). Non-2xx answers count as errors.
 */
export function runWrk(options: {
  url: string;
  seconds: number;
  connections: number;
  requestLua: string;
}): Promise<WrkResult> {
  const dir = mkdtempSync(join(tmpdir(), 'missive-wrk-'));
  const script = join(dir, 'load.lua');
  writeFileSync(
    script,
    `local i = 0
request = function()
  local r = (function() ${options.requestLua} end)()
  i = i + 1
  return r
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRK {"requests":%d,"us":%d,"errors":%d,"p50":%d,"p99":%d}\\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.status + e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
`,
  );
  const args = ['-t1', `-c${options.connections}`, `-d${options.seconds}s`, '-s', script];
  return new Promise<WrkResult>((resolve, reject) => {
    execFile('wrk', [...args, options.url], (error, stdout) => {
      rmSync(dir, { recursive: true, force: true });
      if (error) return reject(error);
      const line = stdout.split('\n').find((l) => l.startsWith('WRK '));
      if (!line) return reject(new Error(`wrk printed no summary:\n${stdout}`));
      const r = JSON.parse(line.slice(4)) as Record<string, number>;
      resolve({
        requests: r.requests!,
        ms: r.us! / 1000,
        errors: r.errors!,
        p50Ms: r.p50! / 1000,
        p99Ms: r.p99! / 1000,
      });
    });
  });
}
