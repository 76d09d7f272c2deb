import { ProjectorConfig } from '@missive/process';
import { Transform } from 'class-transformer';
import { IsInt, IsOptional, IsString, Matches, Max, Min, MinLength } from 'class-validator';

export { ConfigError, loadConfig } from '@missive/process';

const toNumber =
  (fallback: number) =>
  ({ value }: { value: unknown }) =>
    value === undefined ? fallback : Number(value);

/** Environment of the notifier process (README has the table). */
export class NotifierConfig extends ProjectorConfig {
  /** Key for channel confirmation codes: the API's, or the file both find in DATA_DIR. */
  @IsOptional()
  @IsString()
  @MinLength(32, { message: 'must be at least 32 characters' })
  CONFIRMATION_SECRET?: string;

  /**
   * Node number in CommMessage ids. The API allocates ids too (Comms sends), so a notifier
   * process must not share a node number with any API instance: 63 unless told otherwise.
   */
  @IsInt()
  @Min(0)
  @Max(63)
  @Transform(toNumber(63))
  NODE_ID = 63;

  /** Sender of notification emails. */
  @IsString()
  @Matches(/^[^@\s]+@[^@\s]+$/, { message: 'must be an email address' })
  NOTIFICATION_FROM = 'notifications@missive.invalid';

  @IsString()
  @MinLength(1)
  NOTIFICATION_FROM_NAME = 'Missive';

  /** `smtp://[user:pass@]host:port` or `smtps://...`; unset: the sandbox in DATA_DIR/sandbox. */
  @IsOptional()
  @Matches(/^smtps?:\/\/.+/, { message: 'must be smtp://host:port or smtps://host:port' })
  SMTP_URL?: string;

  /** Bounces from which a channel gets its notifications created already bounced (Canvas: 1). */
  @IsInt()
  @Min(1)
  @Transform(toNumber(1))
  BOUNCE_THRESHOLD = 1;

  /** First retry delay after a transient failure; doubles with each attempt. */
  @IsInt()
  @Min(1)
  @Transform(toNumber(60_000))
  DELIVERY_RETRY_BASE_MS = 60_000;

  /** How long an attempt may stay in flight before another dispatcher sends it again. */
  @IsInt()
  @Min(1000)
  @Transform(toNumber(300_000))
  DELIVERY_LEASE_MS = 300_000;

  /** How often an idle dispatcher looks for due messages (scheduled ones, retries). */
  @IsInt()
  @Min(1)
  @Max(60_000)
  @Transform(toNumber(1000))
  DELIVERY_POLL_INTERVAL_MS = 1000;

  /** Messages in the transports at once. */
  @IsInt()
  @Min(1)
  @Max(1000)
  @Transform(toNumber(16))
  DELIVERY_CONCURRENCY = 16;

  /** An HTTP provider for Comms phone/WhatsApp messages; unset: the Comms sandbox. */
  @IsOptional()
  @Matches(/^https?:\/\/.+/, { message: 'must be an http(s) URL' })
  COMMS_PROVIDER_URL?: string;

  /** Bearer token the provider expects. */
  @IsOptional()
  @IsString()
  COMMS_PROVIDER_TOKEN?: string;

  /** Where the provider posts delivery statuses (the API's /v1/Messages/ProviderStatus). */
  @IsOptional()
  @Matches(/^https?:\/\/.+/, { message: 'must be an http(s) URL' })
  COMMS_STATUS_CALLBACK_URL?: string;

  /** The provider settings startNotifier takes, when a provider is configured. */
  get commsProvider() {
    return this.COMMS_PROVIDER_URL
      ? {
          url: this.COMMS_PROVIDER_URL,
          token: this.COMMS_PROVIDER_TOKEN,
          statusCallbackUrl: this.COMMS_STATUS_CALLBACK_URL,
        }
      : undefined;
  }
}
