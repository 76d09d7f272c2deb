import { ProjectorConfig } from '@missive/process';
import { Transform } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsPositive,
  IsString,
  IsUrl,
  Matches,
  Max,
  Min,
  MinLength,
  ValidateBy,
  ValidateIf,
} from 'class-validator';
import { isIP } from 'node:net';
import { availableParallelism } from 'node:os';
import type { CommsSettings } from '../comms/commsSettings';
import type { HttpServerSettings } from '../http/createHttpAdapter';
import type { RateLimitSettings } from '../http/leakyBucket';

export { ConfigError, loadConfig } from '@missive/process';

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

/** A setting that may not be below another one (Node refuses such server timeouts). */
const NotBelow = (other: keyof AppConfig & string) =>
  ValidateBy({
    name: 'notBelow',
    validator: {
      validate: (value: unknown, args) =>
        typeof value === 'number' && value >= Number((args?.object as AppConfig)[other]),
      defaultMessage: () => `must be at least ${other}`,
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

  /** Address to listen on: `0.0.0.0` (every IPv4 interface), `::`, `127.0.0.1`, a host name. */
  @ValidateBy({
    name: 'isListenAddress',
    validator: {
      validate: (value: unknown) =>
        typeof value === 'string' &&
        (isIP(value) !== 0 || /^[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$/.test(value)),
      defaultMessage: () => 'must be an IP address or a host name',
    },
  })
  HOST = '0.0.0.0';

  /**
   * How long a client may take to send a request's headers, and its whole request (headers
   * and body); a connection that has not finished by then gets a 408 and is closed, so slow or
   * trickling clients cannot hold sockets for minutes (Node's defaults: 60 s and 300 s).
   */
  @IsInt()
  @Min(1000)
  @Transform(toNumber(10_000))
  HTTP_HEADERS_TIMEOUT_MS = 10_000;

  @IsInt()
  @Min(1000)
  @NotBelow('HTTP_HEADERS_TIMEOUT_MS')
  @Transform(toNumber(60_000))
  HTTP_REQUEST_TIMEOUT_MS = 60_000;

  /** How long an idle keep-alive connection stays open for its next request. */
  @IsInt()
  @Min(0)
  @Transform(toNumber(5_000))
  HTTP_KEEP_ALIVE_TIMEOUT_MS = 5_000;

  /** Open connections per HTTP process; past it, new connections are closed at once. */
  @IsInt()
  @Min(1)
  @Transform(toNumber(10_000))
  HTTP_MAX_CONNECTIONS = 10_000;

  /** Bearer token `/metrics` requires; unset: `/metrics` is open, as Prometheus expects. */
  @IsOptional()
  @IsString()
  @MinLength(16, { message: 'must be at least 16 characters' })
  METRICS_TOKEN?: string;

  @IsOptional()
  @IsString()
  @MinLength(16, { message: 'must be at least 16 characters' })
  ADMIN_TOKEN?: string;

  /** Key for channel confirmation codes (HMAC); generated into DATA_DIR when embedded. */
  @IsOptional()
  @IsString()
  @MinLength(32, { message: 'must be at least 32 characters' })
  CONFIRMATION_SECRET?: string;

  /**
   * Key providers sign delivery reports with (POST /api/v1/delivery_webhook). Unset: the
   * webhook answers 404, so no one can report bounces without it.
   */
  @IsOptional()
  @IsString()
  @MinLength(16, { message: 'must be at least 16 characters' })
  WEBHOOK_SECRET?: string;

  /** Node number (0..63) in generated ids: give each API instance its own. */
  @IsInt()
  @Min(0)
  @Max(63)
  @Transform(({ value }) => (value === undefined ? 0 : Number(value)))
  NODE_ID = 0;

  /**
   * HTTP worker processes (node:cluster). Default: one per core on the embedded default
   * (SQLite event store), one elsewhere. With more than one, the primary process runs the
   * projectors and the notifier and worker k serves HTTP with node id NODE_ID + k, so an
   * instance uses node ids NODE_ID..NODE_ID + API_WORKERS. 1 keeps everything in one process.
   */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(63)
  @Transform(({ value }) => (value === undefined ? undefined : Number(value)))
  API_WORKERS?: number;

  /** Run the projectors inside the API process (the embedded default). */
  @IsBoolean()
  @Transform(({ value }) => (value === undefined ? true : value === 'true' || value === '1'))
  RUN_PROJECTORS = true;

  /** `/ready` fails while any projection trails the log by more than this (events on SQLite). */
  @IsInt()
  @Min(0)
  @Transform(({ value }) => (value === undefined ? 1000 : Number(value)))
  READY_MAX_LAG = 1000;

  /** pino level: fatal, error, warn, info, debug, trace or silent. */
  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  @Transform(({ value }) => (value === undefined ? 'info' : value))
  LOG_LEVEL = 'info';

  /**
   * Run the notifier (notifications, delivery, bounce feedback) inside the API process: the
   * embedded default. Its own settings (SMTP_URL, NOTIFICATION_FROM, ...) are read as the
   * standalone notifier reads them.
   */
  @IsBoolean()
  @Transform(({ value }) => (value === undefined ? true : value === 'true' || value === '1'))
  RUN_NOTIFIER = true;

  /**
   * How long a job runner's claim on a background job (batch update, async batch, Comms send)
   * holds: a job whose process died is taken up by another runner after this.
   */
  @IsInt()
  @Min(1000)
  @Transform(toNumber(60_000))
  JOB_LEASE_MS = 60_000;

  /** How often each API process looks for unfinished background jobs. */
  @IsInt()
  @Min(10)
  @Transform(toNumber(10_000))
  JOB_SWEEP_INTERVAL_MS = 10_000;

  /**
   * How long a request's claim on its Idempotency-Key holds: a retry of a request whose
   * process died mid-request runs again (continuing what it wrote, where the route allows)
   * after this. Longer than any request takes.
   */
  @IsInt()
  @Min(1000)
  @Transform(toNumber(60_000))
  IDEMPOTENCY_LEASE_MS = 60_000;

  /** How long a command waits for its projection before answering (read-your-writes). */
  @IsInt()
  @Min(0)
  @Max(60000)
  @Transform(({ value }) => (value === undefined ? 5000 : Number(value)))
  READ_YOUR_WRITES_TIMEOUT_MS = 5000;

  /** Canvas's request throttle, per access token; README explains. */
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

  /**
   * Redis holding the Canvas and Comms rate-limit buckets for every process and instance
   * (`redis://host:6379/0`). Unset: the buckets live in the process, or in the cluster primary
   * for its workers.
   */
  @IsOptional()
  @Matches(/^rediss?:\/\/\S+$/, { message: 'must be a redis:// or rediss:// URL' })
  REDIS_URL?: string;

  /** Prefix of every Redis key Missive writes, so that deployments can share one Redis. */
  @IsString()
  @Matches(/^\S{0,64}$/, { message: 'must be at most 64 characters without spaces' })
  @Transform(({ value }) => (value === undefined ? 'missive:' : String(value)))
  REDIS_KEY_PREFIX = 'missive:';

  /** Comms API (`/v1`) Basic-auth user; with COMMS_AUTH_TOKEN. Unset: every /v1 call is 401. */
  @IsOptional()
  @Matches(/^[^:\s]{1,64}$/, { message: 'must be 1-64 characters without ":" or spaces' })
  COMMS_ACCOUNT_ID?: string;

  @ValidateIf(
    (c: AppConfig) => c.COMMS_ACCOUNT_ID !== undefined || c.COMMS_AUTH_TOKEN !== undefined,
  )
  @IsString({ message: 'is required with COMMS_ACCOUNT_ID' })
  @MinLength(16, { message: 'must be at least 16 characters' })
  COMMS_AUTH_TOKEN?: string;

  /** The spec's second scheme, `apiKey:apiKeySecret`; optional. */
  @IsOptional()
  @Matches(/^[^:\s]{1,64}$/, { message: 'must be 1-64 characters without ":" or spaces' })
  COMMS_API_KEY?: string;

  @ValidateIf(
    (c: AppConfig) => c.COMMS_API_KEY !== undefined || c.COMMS_API_KEY_SECRET !== undefined,
  )
  @IsString({ message: 'is required with COMMS_API_KEY' })
  @MinLength(16, { message: 'must be at least 16 characters' })
  COMMS_API_KEY_SECRET?: string;

  /** Origin of the absolute URLs the Comms API returns; unset: the request's own host. */
  @IsOptional()
  @IsUrl({ require_tld: false, require_protocol: true, protocols: ['http', 'https'] })
  COMMS_BASE_URL?: string;

  /** Per-credential token bucket: sustained requests per second, and the burst above it. */
  @IsNumber()
  @IsPositive()
  @Transform(toNumber(100))
  COMMS_RATE_LIMIT_PER_SEC = 100;

  @IsInt()
  @Min(1)
  @Transform(toNumber(200))
  COMMS_RATE_LIMIT_BURST = 200;

  /** Bearer token an SMS provider uses on the status webhook (Basic credentials work too). */
  @IsOptional()
  @IsString()
  @MinLength(16, { message: 'must be at least 16 characters' })
  COMMS_WEBHOOK_TOKEN?: string;

  /** Senders used when a send names no `from`. */
  @Matches(/^\+[1-9]\d{1,14}$/, { message: 'must be an E.164 number' })
  COMMS_SMS_FROM = '+15005550006';

  @Matches(/^\+[1-9]\d{1,14}$/, { message: 'must be an E.164 number' })
  COMMS_WHATSAPP_FROM = '+15005550006';

  get comms(): CommsSettings {
    const credentials: Array<{ username: string; password: string }> = [];
    if (this.COMMS_ACCOUNT_ID && this.COMMS_AUTH_TOKEN) {
      credentials.push({ username: this.COMMS_ACCOUNT_ID, password: this.COMMS_AUTH_TOKEN });
    }
    if (this.COMMS_API_KEY && this.COMMS_API_KEY_SECRET) {
      credentials.push({ username: this.COMMS_API_KEY, password: this.COMMS_API_KEY_SECRET });
    }
    return {
      credentials,
      baseUrl: this.COMMS_BASE_URL?.replace(/\/+$/, ''),
      rateLimit: { perSecond: this.COMMS_RATE_LIMIT_PER_SEC, burst: this.COMMS_RATE_LIMIT_BURST },
      webhookToken: this.COMMS_WEBHOOK_TOKEN,
      defaultSenders: { sms: this.COMMS_SMS_FROM, whatsapp: this.COMMS_WHATSAPP_FROM },
    };
  }

  get apiWorkers(): number {
    if (this.API_WORKERS !== undefined) return this.API_WORKERS;
    return this.eventStoreUrl.startsWith('sqlite:') ? availableParallelism() : 1;
  }

  get httpServer(): HttpServerSettings {
    return {
      headersTimeoutMs: this.HTTP_HEADERS_TIMEOUT_MS,
      requestTimeoutMs: this.HTTP_REQUEST_TIMEOUT_MS,
      keepAliveTimeoutMs: this.HTTP_KEEP_ALIVE_TIMEOUT_MS,
      maxConnections: this.HTTP_MAX_CONNECTIONS,
    };
  }

  get rateLimit(): RateLimitSettings {
    return {
      highWaterMark: this.RATE_LIMIT_HIGH_WATER_MARK,
      maximum: this.RATE_LIMIT_MAXIMUM,
      outflowPerSec: this.RATE_LIMIT_OUTFLOW_PER_SEC,
      upfrontCost: this.RATE_LIMIT_UPFRONT_COST,
    };
  }
}
