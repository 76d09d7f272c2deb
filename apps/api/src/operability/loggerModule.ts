import type { DynamicModule } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import type { Options } from 'pino-http';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AppConfig } from '../config/appConfig';
import type { AuthenticatedRequest } from '../auth/authenticatedRequest';

/**
 * One JSON line per request and per log call (pino). The request id is the client's
 * X-Request-Id when it sends a sane one, else a fresh UUID; it is echoed back, and the same id
 * becomes the `correlationId` in the metadata of every event the request writes, so a log
 * line leads to its events and back.
 */
export function requestIdOf(req: IncomingMessage, res: ServerResponse): string {
  const header = req.headers['x-request-id'];
  const id =
    typeof header === 'string' && header.length > 0 && header.length <= 200 ? header : randomUUID();
  res.setHeader('X-Request-Id', id);
  return id;
}

export function loggerModule(config: AppConfig, stream?: NodeJS.WritableStream): DynamicModule {
  const options: Options = {
    level: config.LOG_LEVEL,
    genReqId: requestIdOf,
    customProps: (req) => {
      const r = req as unknown as AuthenticatedRequest;
      return { correlationId: r.correlationId, userId: r.user?.id };
    },
    // Tokens never reach the logs.
    redact: ['req.headers.authorization', 'req.query.access_token'],
  };
  return LoggerModule.forRoot({
    pinoHttp: stream ? [options, stream as DestinationStream] : options,
  });
}
