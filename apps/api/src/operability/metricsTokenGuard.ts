import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { AppConfig } from '../config/appConfig';
import { CanvasError } from '../http/canvasError';
import { APP_CONFIG } from '../infrastructure/tokens';

/**
 * `/metrics` is open by default, as Prometheus scrapes it; with METRICS_TOKEN set it needs
 * `Authorization: Bearer <METRICS_TOKEN>` (Prometheus's `authorization` scrape setting).
 */
@Injectable()
export class MetricsTokenGuard implements CanActivate {
  private readonly expected: Buffer | undefined;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.expected = config.METRICS_TOKEN === undefined ? undefined : digest(config.METRICS_TOKEN);
  }

  canActivate(context: ExecutionContext): boolean {
    if (this.expected === undefined) return true;
    const header = context.switchToHttp().getRequest<FastifyRequest>().headers.authorization;
    const presented = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '')?.[1];
    // Digests compare in constant time whatever the lengths.
    if (presented !== undefined && timingSafeEqual(digest(presented), this.expected)) return true;
    throw new CanvasError(
      401,
      { errors: [{ message: 'Invalid metrics token.' }] },
      { 'WWW-Authenticate': 'Bearer realm="metrics"' },
    );
  }
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}
