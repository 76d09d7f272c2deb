/**
 * An error shaped as body-parser's (http-errors) were: `status`, `statusCode`, `expose` and a
 * `type`. Nest maps such an error to an HttpException of that status, so the exception filters
 * answer body refusals exactly as they did on Express.
 */
export function httpError(status: number, message: string, type: string): Error {
  return Object.assign(new Error(message), { status, statusCode: status, expose: true, type });
}
