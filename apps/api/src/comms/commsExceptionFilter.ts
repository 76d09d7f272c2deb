import {
  Catch,
  HttpException,
  Inject,
  Logger,
  Optional,
  type ArgumentsHost,
  type ExceptionFilter,
} from '@nestjs/common';
import { DomainError } from '@missive/domain';
import { ConcurrencyConflict } from '@missive/command-handling';
import { isTransientError } from '@missive/projections';
import type { FastifyReply } from 'fastify';
import { CanvasError } from '../http/canvasError';
import { CommsError, errorItem } from './commsError';

/** The Comms dialect owns everything under /v1; Canvas keeps /api and the rest. */
export function isCommsPath(path: string): boolean {
  return path === '/v1' || path.startsWith('/v1/');
}

/** How a Comms route words a domain refusal. */
export type CommsDomainErrors = (err: DomainError) => CommsError;

export const COMMS_DOMAIN_ERRORS = Symbol('COMMS_DOMAIN_ERRORS');

/** A refusal of a request field: a 400 naming the field and pointing at it. */
export function fieldDomainError(err: DomainError): CommsError {
  return CommsError.badRequest(`${err.attribute}: ${err.message}.`, `$.${err.attribute}`);
}

/**
 * Every error on a Comms route leaves as `{"errors":[{code,message,infoUrl,context}]}`, with
 * the documented codes per status; anything unexpected is logged and becomes a 500. Domain
 * refusals are field errors unless the controller names another wording
 * (`@UseFilters(new CommsExceptionFilter(itsErrors))`).
 */
@Catch()
export class CommsExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('CommsExceptionFilter');

  constructor(
    @Optional()
    @Inject(COMMS_DOMAIN_ERRORS)
    private readonly domainErrors: CommsDomainErrors = fieldDomainError,
  ) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    renderCommsError(
      exception instanceof DomainError ? this.domainErrors(exception) : exception,
      host.switchToHttp().getResponse<FastifyReply>(),
      this.logger,
    );
  }
}

export function renderCommsError(exception: unknown, res: FastifyReply, logger?: Logger): void {
  const error = toCommsError(exception);
  if (error.status >= 500 && error.status !== 503) logger?.error(exception);
  res.status(error.status).headers(error.headers).send(error.body);
}

function toCommsError(exception: unknown): CommsError {
  if (exception instanceof CommsError) return exception;
  // Still losing the race for a stream after every retry: the write may succeed if retried.
  if (exception instanceof ConcurrencyConflict) return CommsError.unavailable();
  // Shared infrastructure (read-your-writes) speaks Canvas; keep its status, not its body.
  if (exception instanceof CanvasError) return byStatus(exception.status);
  if (exception instanceof HttpException) return byStatus(exception.getStatus());
  // body-parser: malformed JSON, oversized bodies, unsupported charsets.
  const status = (exception as { status?: unknown })?.status;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const type = (exception as { type?: unknown }).type;
    if (type === 'entity.parse.failed') {
      return CommsError.badRequest('The request body is not valid JSON.', null);
    }
    if (type === 'entity.too.large') {
      return new CommsError(413, [errorItem(70002, 'The request body is too large.')]);
    }
    return byStatus(status);
  }
  // A database that is down or restarting: nothing was written; retrying later succeeds.
  if (isTransientError(exception)) return CommsError.unavailable();
  return CommsError.internal();
}

function byStatus(status: number): CommsError {
  switch (status) {
    case 401:
      return CommsError.unauthorized();
    case 404:
      return CommsError.notFound();
    case 429:
      return CommsError.tooManyRequests(1);
    case 503:
      return CommsError.unavailable();
    default:
      if (status >= 500) return CommsError.internal();
      return new CommsError(status, [errorItem(70002, 'The request could not be processed.')]);
  }
}
