import { ProjectorConfig } from '@missive/conversations-projector';
import { Transform } from 'class-transformer';
import {
  IsBoolean,
  IsInt,
  IsNumber,
  IsOptional,
  IsPositive,
  IsString,
  Max,
  Min,
  MinLength,
  ValidateBy,
} from 'class-validator';
import type { RateLimitSettings } from '../http/leakyBucket';

export { ConfigError, loadConfig } from '@missive/conversations-projector';

const toNumber =
  (fallback: number) =>
  ({ value }: { value: unknown }) =>
    value === undefined ? fallback : Number(value);

/** A maximum below the high-water mark would cap the bucket short of full: no throttling. */
const NotBelowHighWaterMark = () =>
  ValidateBy({
    name: 'notBelowHighWaterMark',
    validator: {
      validate: (value: unknown, args) =>
        typeof value === 'number' &&
        value >= (args?.object as AppConfig).RATE_LIMIT_HIGH_WATER_MARK,
      defaultMessage: () => 'must be at least RATE_LIMIT_HIGH_WATER_MARK',
    },
  });

/** Environment variables of the API process, validated once at start-up (README has the table). */
export class AppConfig extends ProjectorConfig {
  /** 0 picks a free port (tests). */
  @IsInt()
  @Min(0)
  @Max(65535)
  @Transform(({ value }) => (value === undefined ? 3000 : Number(value)))
  PORT = 3000;

  @IsOptional()
  @IsString()
  @MinLength(16, { message: 'must be at least 16 characters' })
  ADMIN_TOKEN?: string;

  /** Key for channel confirmation codes (HMAC); generated into DATA_DIR when embedded. */
  @IsOptional()
  @IsString()
  @MinLength(32, { message: 'must be at least 32 characters' })
  CONFIRMATION_SECRET?: string;

  /** Node number (0..63) in generated ids: give each API instance its own. */
  @IsInt()
  @Min(0)
  @Max(63)
  @Transform(({ value }) => (value === undefined ? 0 : Number(value)))
  NODE_ID = 0;

  /** Run the projectors inside the API process (the embedded default). */
  @IsBoolean()
  @Transform(({ value }) => (value === undefined ? true : value === 'true' || value === '1'))
  RUN_PROJECTORS = true;

  /** How long a command waits for its projection before answering (read-your-writes). */
  @IsInt()
  @Min(0)
  @Max(60000)
  @Transform(({ value }) => (value === undefined ? 5000 : Number(value)))
  READ_YOUR_WRITES_TIMEOUT_MS = 5000;

  /** Canvas's request throttle, per access token (specs/canvas-api.md §6); README explains. */
  @IsNumber()
  @IsPositive()
  @Transform(toNumber(600))
  RATE_LIMIT_HIGH_WATER_MARK = 600;

  @IsNumber()
  @NotBelowHighWaterMark()
  @Transform(toNumber(800))
  RATE_LIMIT_MAXIMUM = 800;

  @IsNumber()
  @Min(0)
  @Transform(toNumber(10))
  RATE_LIMIT_OUTFLOW_PER_SEC = 10;

  @IsNumber()
  @Min(0)
  @Transform(toNumber(50))
  RATE_LIMIT_UPFRONT_COST = 50;

  get rateLimit(): RateLimitSettings {
    return {
      highWaterMark: this.RATE_LIMIT_HIGH_WATER_MARK,
      maximum: this.RATE_LIMIT_MAXIMUM,
      outflowPerSec: this.RATE_LIMIT_OUTFLOW_PER_SEC,
      upfrontCost: this.RATE_LIMIT_UPFRONT_COST,
    };
  }
}
