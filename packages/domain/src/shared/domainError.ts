/**
 * A rule the command broke. `attribute` and `message` follow Canvas's own validation
 * vocabulary so the API can render the dialect's error body without re-deciding anything.
 */
export type DomainErrorKind = 'invalid' | 'not_found' | 'forbidden' | 'conflict';

export class DomainError extends Error {
  override readonly name = 'DomainError';

  constructor(
    readonly kind: DomainErrorKind,
    readonly attribute: string,
    message: string,
    /** Canvas model-error `type` (e.g. `blank`, `too_long`, `taken`). */
    readonly type: string = message,
  ) {
    super(message);
  }
}
