import { Transform } from 'class-transformer';
import { IsArray, IsBoolean, IsIn, IsOptional, IsString, Matches } from 'class-validator';
import { MessageMediaDto } from './messageMediaDto';

/** Rails' `value_to_boolean` for the flags Canvas reads from forms. */
export function toBoolean({ value }: { value: unknown }): unknown {
  if (typeof value === 'boolean' || value === undefined) return value;
  if (typeof value === 'number') return value !== 0;
  if (typeof value === 'string')
    return ['true', '1', 'yes', 'on', 't'].includes(value.toLowerCase());
  return value;
}

/** Recipients arrive as `recipients[]=…`, a JSON array, or one comma-separated string. */
function toRecipientList({ value }: { value: unknown }): unknown {
  if (value === undefined || value === null) return undefined;
  const list = Array.isArray(value)
    ? value
    : typeof value === 'string' || typeof value === 'number'
      ? String(value).split(',')
      : value;
  if (!Array.isArray(list)) return list;
  return list
    .map((v) => (typeof v === 'number' ? String(v) : typeof v === 'string' ? v.trim() : v))
    .filter((v) => v !== '');
}

/** `POST /api/v1/conversations` (seed: canvas-conversations.txt). */
export class CreateConversationDto extends MessageMediaDto {
  @IsOptional()
  @Transform(toRecipientList)
  @IsArray()
  @IsString({ each: true })
  recipients?: string[];

  @IsOptional()
  @IsString()
  subject?: string;

  @IsOptional()
  @IsString()
  body?: string;

  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean()
  group_conversation?: boolean;

  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean()
  bulk_message?: boolean;

  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean()
  force_new?: boolean;

  @IsOptional()
  @IsIn(['sync', 'async'])
  mode?: 'sync' | 'async';

  @IsOptional()
  @IsString()
  @Matches(/^(course|group)_\d+$/)
  context_code?: string;
}
