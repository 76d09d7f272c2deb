import { plainToInstance, Transform } from 'class-transformer';
import {
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  MinLength,
  validateSync,
} from 'class-validator';
import { join, resolve } from 'node:path';
import { EVENT_STORE_URL_PATTERN } from '@missive/event-store';

const READ_MODEL_URL = /^(sqlite:.+|postgres(ql)?:\/\/.+)$/;

/** What every Missive process needs: where the events and the read models live. */
export class ProjectorConfig {
  @IsString()
  @MinLength(1)
  DATA_DIR = './data';

  @IsOptional()
  @Matches(EVENT_STORE_URL_PATTERN, {
    message: 'must be sqlite:<path>, postgres://..., esdb://..., kurrentdb://... or kurrent://...',
  })
  EVENT_STORE_URL?: string;

  @IsOptional()
  @Matches(READ_MODEL_URL, { message: 'must be sqlite:<path> or postgres://...' })
  READ_MODEL_URL?: string;

  /**
   * Where the keys of personal data live, outside the event log. Default: beside a PostgreSQL
   * read model (same database), else `$DATA_DIR/keys.db`. Back it up: without it every
   * protected field reads as erased, and a process refuses to start on a different one.
   */
  @IsOptional()
  @Matches(READ_MODEL_URL, { message: 'must be sqlite:<path> or postgres://...' })
  KEY_STORE_URL?: string;

  /** Pause between polls of the log once a projection has caught up. */
  @IsInt()
  @Min(1)
  @Max(10000)
  @Transform(({ value }) => (value === undefined ? 20 : Number(value)))
  PROJECTOR_POLL_INTERVAL_MS = 20;

  /**
   * How long Comms messages and operations are kept (the Comms API promises 7 days): counted
   * from creation, or from the send time of a scheduled one. Then they stop being served,
   * their keys are deleted (their text, addresses and variables in the log become unreadable)
   * and their read-model rows are purged. Recorded with each send, so a change applies to
   * what is sent after it; each process that purges also checks this often, at most hourly.
   */
  @IsInt()
  @Min(1)
  @Max(10 * 365 * 86400)
  @Transform(({ value }) => (value === undefined ? 604800 : Number(value)))
  COMMS_RETENTION_SECONDS = 604800;

  /** Port of the projector's `GET /health` (container health checks); unset means none. */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(65535)
  @Transform(({ value }) => (value === undefined ? undefined : Number(value)))
  HEALTH_PORT?: number;

  get commsRetentionMs(): number {
    return this.COMMS_RETENTION_SECONDS * 1000;
  }

  get eventStoreUrl(): string {
    return this.EVENT_STORE_URL ?? `sqlite:${join(resolve(this.DATA_DIR), 'events.db')}`;
  }

  get readModelUrl(): string {
    return this.READ_MODEL_URL ?? `sqlite:${join(resolve(this.DATA_DIR), 'read-models.db')}`;
  }

  get keyStoreUrl(): string {
    if (this.KEY_STORE_URL) return this.KEY_STORE_URL;
    if (this.readModelUrl.startsWith('postgres')) return this.readModelUrl;
    return `sqlite:${join(resolve(this.DATA_DIR), 'keys.db')}`;
  }
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/**
 * Builds `type` from the environment and validates it. Throws a ConfigError with one line per
 * bad variable, naming it, so a process stops with a message an operator can act on.
 */
export function loadConfig<T extends object>(type: new () => T, env: NodeJS.ProcessEnv): T {
  const known = Object.keys(new type());
  const raw = Object.fromEntries(
    Object.entries(env).filter(([k, v]) => known.includes(k) && v !== undefined && v !== ''),
  );
  const config = plainToInstance(type, raw, { exposeDefaultValues: true });
  const errors = validateSync(config, { forbidUnknownValues: false });
  if (errors.length > 0) {
    const lines = errors.map((e) => {
      const why = Object.values(e.constraints ?? {}).join('; ');
      return `invalid configuration: ${e.property}=${JSON.stringify(raw[e.property])} ${why}`;
    });
    throw new ConfigError(lines.join('\n'));
  }
  return config;
}
