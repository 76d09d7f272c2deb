import type { FastifyRequest } from 'fastify';
import type { CommsSettings } from './commsSettings';

/**
 * Origin of the absolute URLs in answers (`Location`, `operationLocation`, `related[].uri`):
 * COMMS_BASE_URL when set (behind a proxy the request cannot know its public name), else the
 * scheme and host the request came in on.
 */
export function commsBaseUrl(settings: CommsSettings, req: FastifyRequest): string {
  return settings.baseUrl ?? `${req.protocol}://${req.headers.host ?? 'localhost'}`;
}
