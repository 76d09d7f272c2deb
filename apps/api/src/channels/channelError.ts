import { CHANNEL_LIMIT_MESSAGE, type DomainError } from '@missive/domain';
import { CanvasError } from '../http/canvasError';

/** Channel refusals in the shapes Canvas gives them (model errors, a missing parameter). */
export function channelError(err: DomainError): CanvasError {
  if (err.kind === 'not_found') return CanvasError.notFound();
  if (err.kind === 'forbidden') return CanvasError.unauthorized();
  if (err.message === CHANNEL_LIMIT_MESSAGE) {
    return CanvasError.model({ type: CHANNEL_LIMIT_MESSAGE });
  }
  if (err.type === 'blank' && (err.attribute === 'address' || err.attribute === 'token')) {
    return CanvasError.missing(`communication_channel[${err.attribute}]`);
  }
  return CanvasError.model({
    [err.attribute]: [{ attribute: err.attribute, type: err.type, message: err.message }],
  });
}
