import { Exclude, Transform } from 'class-transformer';
import {
  Equals,
  IsIn,
  IsInt,
  IsOptional,
  IsRFC3339,
  IsString,
  Matches,
  Max,
  Min,
} from 'class-validator';
import {
  MESSAGE_STATUSES,
  OPERATION_ID,
  OPERATION_STATUSES,
  PROFILE_ID,
  SENDER_CHANNELS,
  SESSION_ID,
  TAGS_FILTER,
} from './commsPatterns';

/** Query strings are text: turn a plain integer into a number, leave anything else to fail. */
const toInteger = ({ value }: { value: unknown }) =>
  typeof value === 'string' && /^[+-]?\d{1,9}$/.test(value) ? Number(value) : value;

/** pageToken and pageSize, and the date range both lists share. */
export class CommsPageDto {
  @IsOptional()
  @IsString()
  pageToken?: string;

  @IsOptional()
  @Transform(toInteger)
  @IsInt()
  @Min(1)
  @Max(1000)
  pageSize?: number;

  @IsOptional()
  @IsRFC3339()
  startDate?: string;

  @IsOptional()
  @IsRFC3339()
  endDate?: string;

  @Equals(true, { message: 'endDate must be greater than startDate' })
  @Exclude({ toClassOnly: true }) // never taken from the input
  get endDateAfterStartDate(): boolean {
    if (this.startDate === undefined || this.endDate === undefined) return true;
    const start = Date.parse(this.startDate);
    const end = Date.parse(this.endDate);
    return Number.isNaN(start) || Number.isNaN(end) || end > start;
  }
}

/** `GET /v1/Messages`: every filter of the seed page. */
export class ListMessagesDto extends CommsPageDto {
  @IsOptional()
  @Matches(OPERATION_ID)
  operationId?: string;

  @IsOptional()
  @Matches(SESSION_ID)
  sessionId?: string;

  @IsOptional()
  @Matches(PROFILE_ID)
  profile?: string;

  @IsOptional()
  @IsIn(SENDER_CHANNELS)
  channel?: string;

  @IsOptional()
  @IsIn(MESSAGE_STATUSES)
  status?: string;

  @IsOptional()
  @Matches(TAGS_FILTER, { message: 'must be key:value pairs, each ending with ";" (1 to 10)' })
  tags?: string;
}

/** `GET /v1/Messages/Operations`. */
export class ListOperationsDto extends CommsPageDto {
  @IsOptional()
  @IsIn(OPERATION_STATUSES)
  status?: string;
}

export const MESSAGE_FILTERS = [
  'operationId',
  'sessionId',
  'startDate',
  'endDate',
  'profile',
  'channel',
  'status',
  'tags',
] as const;
export const OPERATION_FILTERS = ['startDate', 'endDate', 'status'] as const;
