/** An HTTP answer in the Canvas dialect (status, body, headers); the filter renders it as is. */
export class CanvasError extends Error {
  override readonly name = 'CanvasError';

  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly headers: Record<string, string> = {},
  ) {
    super(`canvas error ${status}`);
  }

  static notFound(): CanvasError {
    return new CanvasError(404, {
      errors: [{ message: 'The specified resource does not exist.' }],
    });
  }

  static invalidToken(): CanvasError {
    return new CanvasError(
      401,
      { errors: [{ message: 'Invalid access token.' }] },
      { 'WWW-Authenticate': 'Bearer realm="canvas-lms"' },
    );
  }

  /** No credentials at all: Canvas's render_json_unauthorized adds the Bearer challenge too. */
  static unauthenticated(): CanvasError {
    return new CanvasError(
      401,
      { status: 'unauthenticated', errors: [{ message: 'user authorization required' }] },
      { 'WWW-Authenticate': 'Bearer realm="canvas-lms"' },
    );
  }

  static unauthorized(): CanvasError {
    return new CanvasError(401, {
      status: 'unauthorized',
      errors: [{ message: 'user not authorized to perform that action' }],
    });
  }

  static missing(param: string): CanvasError {
    return new CanvasError(400, { errors: [{ message: `${param} is missing` }] });
  }

  /** ActiveModel validation errors: `{"errors":{"<attr>":[{attribute,type,message}]}}`. */
  static model(errors: Record<string, unknown>): CanvasError {
    return new CanvasError(400, { errors });
  }

  /** The Conversations controller's own validations: a bare array of `{attribute,message}`. */
  static conversation(attribute: string, message: string): CanvasError {
    return new CanvasError(400, [{ attribute, message }]);
  }

  static generic(status: number, errorCode: string): CanvasError {
    return new CanvasError(status, {
      errors: [{ message: 'An error occurred.', error_code: errorCode }],
    });
  }
}
