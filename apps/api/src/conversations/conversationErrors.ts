import { DomainError } from '@missive/domain';
import { CanvasError } from '../http/canvasError';

/**
 * How the Conversations API words a domain refusal: a bare array of `{attribute, message}`,
 * except the subject (a model error) and a recipient list with nobody new (a bare `{}`).
 */
export function conversationError(err: DomainError): CanvasError {
  if (err.kind === 'not_found') return CanvasError.notFound();
  if (err.kind === 'forbidden') return CanvasError.unauthorized();
  if (err.type === 'empty') return new CanvasError(400, {});
  if (err.attribute === 'subject') {
    return CanvasError.model({
      subject: [{ attribute: 'subject', type: err.type, message: err.message }],
    });
  }
  return CanvasError.conversation(err.attribute, err.message);
}

/** Files are out of scope: any attachment id names a file that does not exist. */
export function refuseAttachments(ids: unknown[] | undefined): void {
  if (ids && ids.length > 0) throw new DomainError('invalid', 'attachment_ids', 'invalid');
}
