import {
  Catch,
  HttpException,
  Inject,
  Logger,
  Optional,
  type ArgumentsHost,
  type ExceptionFilter,
} from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from '@missive/domain';
import { ConcurrencyConflict } from '@missive/command-handling';
import { isTransientError } from '@missive/projections';
import { isCommsPath, renderCommsError } from '../comms/commsExceptionFilter';
import { CanvasError } from './canvasError';
import { pathOf } from './requestPath';

const CODES: Record<number, string> = {
  400: 'bad_request',
  404: 'not_found',
  405: 'method_not_allowed',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  503: 'service_unavailable',
};

/** How one Canvas resource words a domain refusal (each API family has its own shape). */
export type CanvasDomainErrors = (err: DomainError) => CanvasError;

export const CANVAS_DOMAIN_ERRORS = Symbol('CANVAS_DOMAIN_ERRORS');

/**
 * Refusals in ActiveModel's shape, `{"errors":{"<attr>":[{attribute,type,message}]}}`: what a
 * resource without a wording of its own answers.
 */
export function modelDomainError(err: DomainError): CanvasError {
  if (err.kind === 'not_found') return CanvasError.notFound();
  if (err.kind === 'forbidden') return CanvasError.unauthorized();
  return CanvasError.model({
    [err.attribute]: [{ attribute: err.attribute, type: err.type, message: err.message }],
  });
}

/**
 * Every error leaves in Canvas's shape; anything unexpected is logged and becomes a 500. The
 * global instance words domain refusals as model errors; a controller whose resource words them
 * differently names its wording with `@UseFilters(new CanvasExceptionFilter(itsErrors))`.
 */
@Catch()
export class CanvasExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('CanvasExceptionFilter');

  constructor(
    @Optional()
    @Inject(CANVAS_DOMAIN_ERRORS)
    private readonly domainErrors: CanvasDomainErrors = modelDomainError,
  ) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    renderHttpError(
      exception instanceof DomainError ? this.domainErrors(exception) : exception,
      http.getRequest<FastifyRequest>(),
      http.getResponse<FastifyReply>(),
      this.logger,
    );
  }
}

/** The error in the dialect of the path: Comms under /v1, Canvas everywhere else. */
export function renderHttpError(
  exception: unknown,
  req: FastifyRequest,
  res: FastifyReply,
  logger: Logger,
): void {
  // Errors raised before a Comms controller is reached (unknown /v1 routes, body parsing).
  if (isCommsPath(pathOf(req))) return renderCommsError(exception, res, logger);
  const error = toCanvas(exception);
  if (error.status === 503) logger.warn(describe(exception));
  else if (error.status >= 500) logger.error(exception);
  res.status(error.status).headers(error.headers).send(error.body);
}

function toCanvas(exception: unknown): CanvasError {
  if (exception instanceof CanvasError) return exception;
  // Still losing the race for a stream after every retry: the client may try again.
  if (exception instanceof ConcurrencyConflict) return CanvasError.generic(409, 'conflict');
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    if (status === 404) return CanvasError.notFound();
    return CanvasError.generic(status, CODES[status] ?? 'internal_server_error');
  }
  // Errors that carry their own status (as body-parser's did) keep it.
  const status = (exception as { status?: unknown })?.status;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return CanvasError.generic(status, CODES[status] ?? 'bad_request');
  }
  // A database that is down or restarting: nothing was written (an append is all or nothing),
  // and the same request succeeds once it is back.
  if (isTransientError(exception)) return CanvasError.generic(503, 'service_unavailable');
  return CanvasError.generic(500, 'internal_server_error');
}

/** One line for an outage, which fills the log at every request while it lasts. */
export function describe(exception: unknown): string {
  return `service unavailable: ${exception instanceof Error ? exception.message : String(exception)}`;
}
