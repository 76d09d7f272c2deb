import { Transform } from 'class-transformer';
import { IsArray, IsOptional, IsString } from 'class-validator';

/** One value, or the index-keyed object the query parser makes of more than 20 `exclude[]`. */
function asArray({ value }: { value: unknown }): unknown {
  if (typeof value === 'string') return [value];
  if (value !== null && typeof value === 'object' && !Array.isArray(value))
    return Object.values(value);
  return value;
}

/**
 * `GET /api/v1/search/recipients` query. `page` and `per_page` are read raw (junk `per_page` is
 * clamped, a bad bookmark is refused by the controller); `from_conversation_id` and
 * `permissions[]` are accepted and ignored.
 */
export class SearchRecipientsDto {
  @IsOptional()
  @IsString()
  search?: string;

  @IsOptional()
  @IsString()
  context?: string;

  @IsOptional()
  @Transform(asArray)
  @IsArray()
  @IsString({ each: true })
  exclude?: string[];

  @IsOptional()
  @IsString()
  type?: string;

  @IsOptional()
  @IsString()
  user_id?: string;

  @IsOptional()
  from_conversation_id?: unknown;

  @IsOptional()
  permissions?: unknown;

  @IsOptional()
  page?: unknown;

  @IsOptional()
  per_page?: unknown;
}
