import { IsOptional } from 'class-validator';

/**
 * `GET /api/v1/comm_messages`. Nothing here is ever a 400 in Canvas: a missing or unknown
 * `user_id` is a 404, unreadable times are ignored and `per_page` is clamped, so the values
 * stay as the query parser gave them (a string, or an array or object under bracket names).
 */
export class ListCommMessagesDto {
  @IsOptional()
  user_id?: unknown;

  @IsOptional()
  start_time?: unknown;

  @IsOptional()
  end_time?: unknown;

  @IsOptional()
  page?: unknown;

  @IsOptional()
  per_page?: unknown;
}
