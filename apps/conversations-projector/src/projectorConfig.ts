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

  /** Pause between polls of the log once a projection has caught up. */
  @IsInt()
  @Min(1)
  @Max(10000)
  @Transform(({ value }) => (value === undefined ? 20 : Number(value)))
  PROJECTOR_POLL_INTERVAL_MS = 20;

  /** Port of the projector's `GET /health` (container health checks); unset means none. */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(65535)
  @Transform(({ value }) => (value === undefined ? undefined : Number(value)))
  HEALTH_PORT?: number;

  get eventStoreUrl(): string {
    return this.EVENT_STORE_URL ?? `sqlite:${join(resolve(this.DATA_DIR), 'events.db')}`;
  }

  get readModelUrl(): string {
    return this.READ_MODEL_URL ?? `sqlite:${join(resolve(this.DATA_DIR), 'read-models.db')}`;
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
