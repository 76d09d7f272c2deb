/** One item of the Comms error body; `context` is a JSON path or null. */
export interface CommsErrorItem {
  readonly code: number;
  readonly message: string;
  readonly infoUrl: string;
  readonly context: string | null;
}

export function errorItem(
  code: number,
  message: string,
  context: string | null = null,
): CommsErrorItem {
  return { code, message, infoUrl: infoUrlOf(code), context };
}

export function infoUrlOf(code: number): string {
  return `https://www.twilio.com/docs/api/errors/${code}`;
}

/** An answer in the Comms dialect: `{"errors":[...]}`; the Comms filter renders it as is. */
export class CommsError extends Error {
  override readonly name = 'CommsError';

  constructor(
    readonly status: number,
    readonly errors: readonly CommsErrorItem[],
    readonly headers: Record<string, string> = {},
  ) {
    super(errors.map((e) => e.message).join('; ') || `comms error ${status}`);
  }

  get body(): { errors: readonly CommsErrorItem[] } {
    return { errors: this.errors };
  }

  /** 400 with a generic "bad request" code (Twilio's 70002) unless a more precise one applies. */
  static badRequest(message: string, context: string | null, code = 70002): CommsError {
    return new CommsError(400, [errorItem(code, message, context)]);
  }

  static notFound(): CommsError {
    return new CommsError(404, [errorItem(20404, 'The resource was not found.')]);
  }

  /** Not documented for this API: Twilio's older APIs answer bad credentials with 20003. */
  static unauthorized(): CommsError {
    return new CommsError(
      401,
      [errorItem(20003, 'Authentication failed: invalid or missing credentials.')],
      { 'WWW-Authenticate': 'Basic realm="Missive Comms API"' },
    );
  }

  static tooManyRequests(retryAfterSeconds: number): CommsError {
    return new CommsError(
      429,
      [errorItem(20429, 'Too many requests: retry after the time in Retry-After.')],
      { 'Retry-After': String(retryAfterSeconds) },
    );
  }

  static internal(): CommsError {
    return new CommsError(500, [errorItem(20500, 'Internal server error.')]);
  }

  static unavailable(retryAfterSeconds = 1): CommsError {
    return new CommsError(503, [errorItem(20503, 'Service unavailable.')], {
      'Retry-After': String(retryAfterSeconds),
    });
  }
}
