import {
  Inject,
  Injectable,
  SetMetadata,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { createHash, timingSafeEqual } from 'node:crypto';
import { randomUUID } from 'node:crypto';
import type { AppConfig } from '../config/appConfig';
import { APP_CONFIG } from '../infrastructure/tokens';
import type { TokenBucketBackend } from '../rateLimits/bucketBackends';
import { COMMS_RATE_LIMITER } from '../rateLimits/rateLimitModule';
import { CommsError } from './commsError';
import type { CommsSettings } from './commsSettings';

/** The request as Comms handlers see it: who called, and the id tying its events together. */
export interface CommsRequest extends FastifyRequest {
  commsCredential: string;
  correlationId: string;
}

const PROVIDER_WEBHOOK = 'missive:comms-provider-webhook';
/** The provider status webhook: also accepts the webhook token, and is not rate limited. */
export const ProviderWebhook = () => SetMetadata(PROVIDER_WEBHOOK, true);

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/** Compares fixed-length digests, so neither the length nor the content leaks through timing. */
function same(a: string, b: string): boolean {
  return timingSafeEqual(digest(a), digest(b));
}

/**
 * HTTP Basic with the account id and auth token (or the API key and its secret);
 * then a token bucket per credential (429 with Retry-After). Every failure is a 401 in the
 * Comms error shape, without saying which half was wrong.
 */
@Injectable()
export class CommsAuthGuard implements CanActivate {
  private readonly settings: CommsSettings;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly reflector: Reflector,
    @Inject(COMMS_RATE_LIMITER) private readonly limiter: TokenBucketBackend,
  ) {
    this.settings = config.comms;
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<CommsRequest>();
    req.correlationId ??= randomUUID();
    const webhook = this.reflector.getAllAndOverride<boolean>(PROVIDER_WEBHOOK, [
      context.getHandler(),
      context.getClass(),
    ]);
    const header = req.headers.authorization ?? '';
    if (webhook && this.isWebhookToken(header)) {
      req.commsCredential = 'webhook';
      return true;
    }
    const username = this.basicUser(header);
    if (username === undefined) throw CommsError.unauthorized();
    req.commsCredential = username;
    if (webhook) return true;
    const admission = await this.limiter.take(username);
    if (!admission.allowed) throw CommsError.tooManyRequests(admission.retryAfterSeconds);
    return true;
  }

  private isWebhookToken(header: string): boolean {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    const expected = this.settings.webhookToken;
    return Boolean(match && expected && same(match[1]!, expected));
  }

  /** The matching credential's username, or undefined. */
  private basicUser(header: string): string | undefined {
    const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
    if (!match) return undefined;
    const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return undefined;
    const username = decoded.slice(0, colon);
    const password = decoded.slice(colon + 1);
    let found: string | undefined;
    // Check every credential, so the time taken does not say which username exists.
    for (const credential of this.settings.credentials) {
      if (same(username, credential.username) && same(password, credential.password)) {
        found = credential.username;
      }
    }
    return found;
  }
}
