import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const APPS = join(__dirname, '..', '..', '..');

/** The built main of an app of this repository (`npm run build` first). */
export const appMain = (app: string) => join(APPS, app, 'dist', 'main.js');

/** One OS process of the topology: its output kept for diagnostics, its exit awaited. */
export class TopologyProcess {
  output = '';
  private readonly child: ChildProcess;
  readonly exited: Promise<number | null>;

  constructor(
    readonly name: string,
    script: string,
    env: Record<string, string>,
    args: readonly string[] = [],
  ) {
    this.child = spawn(process.execPath, [script, ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout!.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    this.child.stderr!.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    this.exited = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
  }

  get pid(): number {
    return this.child.pid!;
  }

  /**
   * CPU seconds used so far (Linux's /proc; undefined elsewhere): beside a wall-clock time,
   * it tells a slow process from one starved by a loaded machine.
   */
  cpuSeconds(): number | undefined {
    try {
      const fields = readFileSync(`/proc/${this.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      // utime and stime, in clock ticks (100 a second on Linux).
      return (Number(fields[11]) + Number(fields[12])) / 100;
    } catch {
      return undefined;
    }
  }

  /** Resolves with the first match of `pattern` in the output; fails if the process exits. */
  async waitFor(pattern: RegExp, ms = 120_000): Promise<RegExpExecArray> {
    const deadline = Date.now() + ms;
    for (;;) {
      const match = pattern.exec(this.output);
      if (match) return match;
      if (this.child.exitCode !== null || Date.now() > deadline) {
        throw new Error(`${this.name} never printed ${pattern}:\n${this.output.slice(-4000)}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  kill(signal: NodeJS.Signals): Promise<number | null> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
    return this.exited;
  }
}

/** Called with each process as soon as it is spawned: so that one that never starts is killed too. */
export type Spawned = (process: TopologyProcess) => void;

/** An API instance: its URL once it listens. */
export async function startApi(env: Record<string, string>, name: string, spawned: Spawned) {
  const api = new TopologyProcess(name, appMain('api'), env);
  spawned(api);
  const [, port] = await api.waitFor(/listening on http:\/\/[\d.]+:(\d+)/);
  return { process: api, url: `http://127.0.0.1:${port}` };
}

/** A projector or notifier app, once it says it runs. */
export async function startWorker(app: string, env: Record<string, string>, spawned: Spawned) {
  const worker = new TopologyProcess(app, appMain(app), env);
  spawned(worker);
  await worker.waitFor(/running|started|listening/i);
  return worker;
}
