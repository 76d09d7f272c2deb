import type { CommsOperationsTable } from './commsTables';

/**
 * An operation's status as the Comms API reports it: SCHEDULED while messages wait for their
 * time, PROCESSING while the messages are being created, then COMPLETED (processing has
 * finished, whatever was delivered); CANCELED once every message was canceled.
 */
export function operationStatus(row: CommsOperationsTable): string {
  const messages = row.total - row.unaddressable;
  if (!row.processed_at) return row.scheduled_for ? 'SCHEDULED' : 'PROCESSING';
  if (messages > 0 && row.canceled === messages) return 'CANCELED';
  return row.scheduled > 0 ? 'SCHEDULED' : 'COMPLETED';
}
