import { Transform } from 'class-transformer';
import { IsIn, IsOptional, IsString, Matches, MaxLength, ValidateIf } from 'class-validator';

export const PROVIDER_STATUSES = [
  'accepted',
  'queued',
  'sending',
  'sent',
  'delivered',
  'undelivered',
  'failed',
  'read',
] as const;
export type ProviderStatus = (typeof PROVIDER_STATUSES)[number];

const lower = ({ value }: { value: unknown }) =>
  typeof value === 'string' ? value.toLowerCase() : value;
const text = ({ value }: { value: unknown }) => (typeof value === 'number' ? String(value) : value);

/**
 * A provider's status report (README, "HTTP provider"): `{reference, sid, status, errorCode?,
 * errorMessage?}` as JSON or a form, or Twilio's classic callback names (`MessageSid`,
 * `MessageStatus`, `ErrorCode`, `ErrorMessage`). Other fields are ignored.
 */
export class ProviderStatusDto {
  @IsOptional()
  @Matches(/^[0-7][0-9a-hjkmnp-tv-z]{25}$/, { message: 'must be the outbound id Missive sent' })
  reference?: string;

  @IsOptional()
  @IsString()
  @MaxLength(64)
  sid?: string;

  @IsOptional()
  @IsString()
  @MaxLength(64)
  MessageSid?: string;

  @ValidateIf((o: ProviderStatusDto) => o.MessageStatus === undefined)
  @Transform(lower)
  @IsIn(PROVIDER_STATUSES)
  status?: ProviderStatus;

  @ValidateIf((o: ProviderStatusDto) => o.status === undefined)
  @Transform(lower)
  @IsIn(PROVIDER_STATUSES)
  MessageStatus?: ProviderStatus;

  @IsOptional()
  @Transform(text)
  @IsString()
  @MaxLength(32)
  errorCode?: string;

  @IsOptional()
  @Transform(text)
  @IsString()
  @MaxLength(32)
  ErrorCode?: string;

  @IsOptional()
  @IsString()
  @MaxLength(1000)
  errorMessage?: string;

  @IsOptional()
  @IsString()
  @MaxLength(1000)
  ErrorMessage?: string;
}
