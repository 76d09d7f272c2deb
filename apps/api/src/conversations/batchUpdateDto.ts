import { IsOptional } from 'class-validator';
import { BATCH_UPDATE_EVENTS, type BatchUpdateEvent } from '@missive/domain';
import { CanvasError } from '../http/canvasError';
import { isCanvasId } from '../http/canvasId';

/**
 * `PUT /api/v1/conversations`: `conversation_ids[]` and `event`. Left loose on purpose:
 * `batchUpdateOf` checks them in Canvas's order with Canvas's `{"message": ...}` errors.
 */
export class BatchUpdateDto {
  @IsOptional()
  conversation_ids?: unknown;

  @IsOptional()
  event?: unknown;
}

/** The batch a valid body asks for; ids that cannot name a conversation are dropped. */
export function batchUpdateOf(body: BatchUpdateDto): {
  conversationIds: string[];
  event: BatchUpdateEvent;
} {
  const ids = body.conversation_ids;
  if (!Array.isArray(ids) || ids.length === 0) {
    throw new CanvasError(400, { message: 'conversation_ids not specified' });
  }
  if (ids.length > 500)
    throw new CanvasError(400, { message: 'conversation batch size limit (500) exceeded' });
  if (body.event === undefined || body.event === '')
    throw new CanvasError(400, { message: 'event not specified' });
  if (
    typeof body.event !== 'string' ||
    !(BATCH_UPDATE_EVENTS as readonly string[]).includes(body.event)
  ) {
    throw new CanvasError(400, { message: 'invalid event' });
  }
  return {
    conversationIds: ids.map(String).filter(isCanvasId),
    event: body.event as BatchUpdateEvent,
  };
}
