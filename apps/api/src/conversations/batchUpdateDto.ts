import { IsOptional } from 'class-validator';

/**
 * `PUT /api/v1/conversations`: `conversation_ids[]` and `event`. Left loose on purpose: the
 * controller checks them in Canvas's order with Canvas's `{"message": ...}` errors.
 */
export class BatchUpdateDto {
  @IsOptional()
  conversation_ids?: unknown;

  @IsOptional()
  event?: unknown;
}
