import { parseArgs } from 'node:util';
import {
  ConfigError,
  ProjectorConfig,
  consoleProjectionLogger,
  loadConfig,
  openStores,
} from '@missive/process';
import { type EventStore, encodePosition } from '@missive/event-store';
import {
  RebuildInterruptedError,
  RebuildRefusedError,
  projectionsStatus,
  rebuildProjection,
  replayParked,
} from '@missive/projections';
import type { Kysely } from 'kysely';
import { type CatalogueEntry, projectionCatalogue } from '@missive/projectors';
import { rebuildProgressBar } from './rebuildProgressBar';
import { shortPosition, statusJson, statusTable } from './statusTable';

export interface CliIo {
  readonly env: NodeJS.ProcessEnv;
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  /** Ctrl-C: a rebuild stops after its batch in flight and keeps its shadow copy. */
  readonly signal?: AbortSignal;
}

export const USAGE = `usage: missive-projections <command> [options]

  status [--json]                 every projection and process manager: version, checkpoint,
                                  head, lag, parked events, state, rebuild in progress
  rebuild <name> [--restart] [--batch-size N] [--json]
                                  blue/green: build a new copy beside the live one while it keeps
                                  serving, then switch atomically; an interrupted rebuild resumes
                                  (--restart throws its copy away)
  replay-parked <name> [--json]   apply the parked (poison) events again, oldest first

Reads EVENT_STORE_URL and READ_MODEL_URL (default: sqlite files in DATA_DIR, ./data).
Exit status: 0 done, 1 failed or refused, 2 bad usage.
`;

class UsageError extends Error {}

/** Runs one command; resolves to the process exit status. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        json: { type: 'boolean', default: false },
        restart: { type: 'boolean', default: false },
        'batch-size': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    io.stderr.write(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const [command, name, ...extra] = parsed.positionals;
  if (parsed.values.help || command === 'help' || command === undefined) {
    (command === undefined && !parsed.values.help ? io.stderr : io.stdout).write(USAGE);
    return command === undefined && !parsed.values.help ? 2 : 0;
  }

  let config: ProjectorConfig;
  try {
    config = loadConfig(ProjectorConfig, io.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    io.stderr.write(`${error.message}\n`);
    return 1;
  }
  const stores = await openStores(config);
  const { store, db } = stores;
  try {
    const catalogue = projectionCatalogue(store);
    const context = { store, db, catalogue, io, json: parsed.values.json ?? false };
    if (extra.length > 0) throw new UsageError(`unexpected arguments: ${extra.join(' ')}`);
    switch (command) {
      case 'status':
        if (name !== undefined) throw new UsageError(`status takes no name (got ${name})`);
        return await status(context);
      case 'rebuild':
        return await rebuild(context, entryNamed(catalogue, name), {
          restart: parsed.values.restart ?? false,
          batchSize: batchSizeOf(parsed.values['batch-size']),
        });
      case 'replay-parked':
        return await replay(context, entryNamed(catalogue, name));
      default:
        throw new UsageError(`unknown command ${command}`);
    }
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`${error.message}\n\n${USAGE}`);
      return 2;
    }
    if (error instanceof RebuildRefusedError || error instanceof RebuildInterruptedError) {
      io.stderr.write(`${error.message}\n`);
      return 1;
    }
    io.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : error}\n`);
    return 1;
  } finally {
    await stores.close();
  }
}

interface Context {
  readonly store: EventStore;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly db: Kysely<any>;
  readonly catalogue: readonly CatalogueEntry[];
  readonly io: CliIo;
  readonly json: boolean;
}

async function status({ store, db, catalogue, io, json }: Context): Promise<number> {
  const statuses = await projectionsStatus({
    store,
    db,
    projections: catalogue.map((entry) => entry.projection),
  });
  io.stdout.write(json ? statusJson(statuses) : statusTable(statuses));
  return 0;
}

async function rebuild(
  { store, db, io, json }: Context,
  entry: CatalogueEntry,
  options: { restart: boolean; batchSize: number | undefined },
): Promise<number> {
  const { projection } = entry;
  if (projection.kind === 'process-manager') {
    throw new RebuildRefusedError(
      `${projection.name} (${entry.app}) is a process manager: a rebuild would replay its side effects (appends, deliveries). Refused.`,
    );
  }
  const bar = rebuildProgressBar(projection.name, io.stderr);
  let result;
  try {
    result = await rebuildProjection({
      store,
      db,
      projection,
      restart: options.restart,
      ...(options.batchSize === undefined ? {} : { batchSize: options.batchSize }),
      ...(io.signal ? { signal: io.signal } : {}),
      onProgress: (progress) => bar.update(progress),
      logger: consoleProjectionLogger,
    });
  } finally {
    bar.stop();
  }
  const totalMs = result.buildMs + result.switchMs;
  if (json) {
    io.stdout.write(
      `${JSON.stringify({
        ...result,
        checkpoint: encodePosition(result.checkpoint),
        ...(result.resumedFrom === undefined
          ? {}
          : { resumedFrom: encodePosition(result.resumedFrom) }),
        eventsPerSecond: Math.round(result.events / Math.max(0.001, totalMs / 1000)),
      })}\n`,
    );
  } else {
    io.stdout.write(
      `${projection.name} v${result.version} rebuilt and switched in at ${shortPosition(result.checkpoint)}: ` +
        `${result.events.toLocaleString('en-US')} events in ${(totalMs / 1000).toFixed(1)} s ` +
        `(switch-over held its locks ${result.switchMs} ms), ${result.parked} parked` +
        `${result.resumedFrom === undefined ? '' : `, resumed from ${shortPosition(result.resumedFrom)}`}\n`,
    );
  }
  return 0;
}

async function replay({ store, db, io, json }: Context, entry: CatalogueEntry): Promise<number> {
  const { projection } = entry;
  if (!entry.appliable) {
    throw new RebuildRefusedError(
      `${projection.name} (${entry.app}) needs its own process's wiring to apply events; replay its parked events there`,
    );
  }
  const result = await replayParked({ store, db, projection });
  if (json) {
    io.stdout.write(
      `${JSON.stringify({
        ...result,
        events: result.events.map((e) => ({ ...e, position: encodePosition(e.position) })),
      })}\n`,
    );
  } else {
    for (const event of result.events) {
      io.stdout.write(
        `${shortPosition(event.position)} ${event.streamId}@${event.revision} ${event.type}: ${event.outcome}` +
          `${event.error ? ` (${event.error.split('\n')[0]})` : ''}\n`,
      );
    }
    io.stdout.write(
      `${projection.name}: ${result.applied} applied, ${result.failed} still failing, ` +
        `${result.events.length - result.applied - result.failed} not replayed\n`,
    );
  }
  return result.failed > 0 ? 1 : 0;
}

function entryNamed(
  catalogue: readonly CatalogueEntry[],
  name: string | undefined,
): CatalogueEntry {
  if (name === undefined) throw new UsageError('which projection? (see `status`)');
  const entry = catalogue.find((e) => e.projection.name === name);
  if (!entry) {
    throw new UsageError(
      `no projection named ${name}; known: ${catalogue.map((e) => e.projection.name).join(', ')}`,
    );
  }
  return entry;
}

function batchSizeOf(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1 || value > 100_000) {
    throw new UsageError(`--batch-size must be an integer from 1 to 100000 (got ${text})`);
  }
  return value;
}
