import type { Position } from '@missive/event-store';
import type { RebuildProgress } from '@missive/projections';
import { Presets, SingleBar } from 'cli-progress';

export interface RebuildProgressBar {
  update(progress: RebuildProgress): void;
  stop(): void;
}

/** Rate over the last few seconds, not since the start: the ETA then follows the current pace. */
const RATE_WINDOW_MS = 5000;

/**
 * The rebuild's progress on stderr: how far through the log (the bar and ETA, in log
 * positions: events on SQLite, bytes of log on EventStoreDB), events applied and events/s.
 * Outside a terminal it prints a line every few seconds instead, for logs.
 */
export function rebuildProgressBar(
  name: string,
  stream: NodeJS.WritableStream,
  now: () => number = Date.now,
): RebuildProgressBar {
  const bar = new SingleBar(
    {
      format: `${name} {phase} [{bar}] {percentage}% | {events} events | {rate} events/s | ETA {eta_formatted}`,
      stream,
      hideCursor: true,
      noTTYOutput: true,
      notTTYSchedule: 2000,
      etaBuffer: 100,
      fps: 5,
    },
    Presets.shades_classic,
  );
  const samples: { at: number; events: number }[] = [];
  let started = false;
  return {
    update(progress) {
      const base = commitOf(progress.from);
      const total = Math.max(1, commitOf(progress.head) - base);
      const value = Math.min(total, Math.max(0, commitOf(progress.position) - base));
      const at = now();
      samples.push({ at, events: progress.events });
      while (samples.length > 2 && at - samples[0]!.at > RATE_WINDOW_MS) samples.shift();
      const first = samples[0]!;
      const seconds = (at - first.at) / 1000;
      const rate = seconds > 0 ? Math.round((progress.events - first.events) / seconds) : 0;
      const payload = {
        phase: progress.phase === 'switching' ? 'switching over' : 'building',
        events: progress.events.toLocaleString('en-US'),
        rate: rate.toLocaleString('en-US'),
      };
      if (!started) {
        bar.start(total, value, payload);
        started = true;
        return;
      }
      bar.setTotal(total);
      bar.update(progress.phase === 'switching' ? total : value, payload);
    },
    stop() {
      if (started) bar.stop();
    },
  };
}

function commitOf(position: Position | 'start'): number {
  return position === 'start' ? 0 : Number(position.commit);
}
