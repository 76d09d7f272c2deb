import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { startApp } from '../app';
import { AppConfig, loadConfig } from '../config/appConfig';
import { processCpuMs } from './benchStores';
import { discard } from './discard';

/** An API under load: where it answers, and the CPU its processes have used. */
export interface BenchServer {
  readonly url: string;
  /** CPU time (user + system) the server's processes have used so far, in ms. */
  cpuMs(): number;
  close(): Promise<void>;
}

/** A process's CPU time and its descendants', from /proc (Linux). */
function processTreeCpuMs(pid: number): number {
  let ms = processCpuMs(pid) ?? 0; // 0: exited meanwhile
  let children = '';
  try {
    children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8');
  } catch {
    // no children file: no children to add
  }
  for (const child of children.split(' ').filter(Boolean)) ms += processTreeCpuMs(Number(child));
  return ms;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/**
 * Starts the API on `env`: inside this process (startApp) when `apiWorkers` is undefined, else
 * as operators start it, `node <main>` with API_WORKERS (main: `BENCH_API_MAIN`, default this
 * build's dist/main.js, so that another build can be measured on the same stores), its
 * request logs written to /dev/null.
 */
export async function startBenchServer(
  env: Record<string, string>,
  apiWorkers: string | undefined,
): Promise<BenchServer> {
  if (apiWorkers === undefined) {
    const app = await startApp(loadConfig(AppConfig, env), {
      logger: false,
      logStream: discard(),
    });
    return {
      url: app.url,
      cpuMs: () => {
        const { user, system } = process.cpuUsage();
        return (user + system) / 1000;
      },
      close: () => app.close(),
    };
  }
  const port = await freePort();
  const main = process.env.BENCH_API_MAIN ?? join(__dirname, '..', 'main.js');
  // BENCH_API_NODE_ARGS: node's own options for the API (its cluster workers inherit them),
  // e.g. `--cpu-prof --cpu-prof-dir=<dir>` for a profile of each process, written at its exit.
  const nodeArgs = (process.env.BENCH_API_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, main], {
    env: { ...process.env, ...env, PORT: String(port), API_WORKERS: apiWorkers, LOG_LEVEL: 'info' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`API exited with ${child.exitCode}`);
    const ok = await fetch(`${url}/health`).then(
      (res) => res.arrayBuffer().then(() => res.ok),
      () => false,
    );
    if (ok) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    cpuMs: () => processTreeCpuMs(child.pid!),
    close: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}
