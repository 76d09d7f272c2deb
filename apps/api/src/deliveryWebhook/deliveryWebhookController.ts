import { Controller, HttpCode, Inject, Post, Req } from '@nestjs/common';
import {
  type OutboundEvent,
  type OutboundMessageState,
  ULID_PATTERN,
  evolveOutboundMessage,
  recordBounce,
  recordDelivered,
  recordUndelivered,
  streams,
} from '@missive/domain';
import { type EventStore } from '@missive/event-store';
import { type CommandContext, execute, load } from '@missive/command-handling';
import { type SchemalessDb, findOutboundByProviderId } from '@missive/read-models';
import { plainToInstance } from 'class-transformer';
import { type ValidationError, validateSync } from 'class-validator';
import type { AuthenticatedRequest } from '../auth/authenticatedRequest';
import { Public } from '../auth/public';
import type { AppConfig } from '../config/appConfig';
import { CanvasError } from '../http/canvasError';
import { jsonNestsDeeperThan, MAX_JSON_DEPTH } from '../http/jsonDepth';
import { APP_CONFIG, EVENT_STORE, READ_DB } from '../infrastructure/tokens';
import { type DeliveryReportDto, DeliveryWebhookDto } from './deliveryWebhookDto';
import { verifyWebhookSignature } from './webhookSignature';

export const DELIVERY_WEBHOOK_PATH = '/api/v1/delivery_webhook';

/**
 * Providers' asynchronous delivery reports: `delivered`, `bounced` (permanent: counts against
 * the channel through the bounce-feedback process manager) and `undelivered`. Authenticated by
 * an HMAC of the raw body, so no access token is involved. Everything is checked before
 * anything is written: a bad signature is a 401, a bad body a 400, an unknown message a 404,
 * and then nothing of the request is applied. A provider retrying a report changes nothing the
 * second time (the deciders ignore a report that no longer applies).
 *
 * Without WEBHOOK_SECRET the route answers 404, as if it did not exist: an unauthenticated
 * webhook would let anyone mark mail as bounced.
 */
@Controller(DELIVERY_WEBHOOK_PATH.slice(1))
export class DeliveryWebhookController {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(READ_DB) private readonly db: SchemalessDb,
  ) {}

  @Public()
  @Post()
  @HttpCode(200)
  async receive(@Req() req: AuthenticatedRequest): Promise<{ received: number; applied: number }> {
    const secret = this.config.WEBHOOK_SECRET;
    if (!secret) throw CanvasError.notFound();
    // The body parsers (http/bodyParsers) keep this path's body raw: the signature covers it.
    const rawBody = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const now = new Date();
    const signed = verifyWebhookSignature({
      secret,
      timestamp: headerOf(req, 'x-missive-timestamp'),
      signature: headerOf(req, 'x-missive-signature'),
      rawBody,
      now,
    });
    if (!signed) throw new CanvasError(401, { errors: [{ message: 'Invalid signature' }] });

    const body = parseBody(rawBody);
    const reports = body.events;
    const targets: { report: DeliveryReportDto; outboundId: string }[] = [];
    for (const report of reports) {
      const outboundId =
        ownOutboundIdOf(report.messageId) ??
        (await findOutboundByProviderId(this.db, report.messageId))?.outboundId ??
        null;
      const exists =
        outboundId !== null &&
        (await load(this.store, streams.outbound(outboundId), evolveOutboundMessage)).state !==
          null;
      if (!exists) throw CanvasError.notFound();
      targets.push({ report, outboundId: outboundId! });
    }

    const ctx: CommandContext = {
      actorUserId: null,
      correlationId: req.correlationId,
      causationId: 'http:POST /api/v1/delivery_webhook',
    };
    let applied = 0;
    for (const { report, outboundId } of targets) {
      const at = report.at ? new Date(report.at).toISOString() : now.toISOString();
      const { events } = await execute(
        this.store,
        streams.outbound(outboundId),
        evolveOutboundMessage,
        (state) => decide(state, report, at),
        ctx,
      );
      if (events.length > 0) applied += 1;
    }
    return { received: reports.length, applied };
  }
}

function decide(
  state: OutboundMessageState | null,
  report: DeliveryReportDto,
  at: string,
): OutboundEvent[] {
  switch (report.event) {
    case 'delivered':
      return recordDelivered(state, { deliveredAt: at });
    case 'bounced':
      return recordBounce(state, {
        reason: report.reason ?? 'bounce reported by the provider',
        bouncedAt: at,
      });
    case 'undelivered':
      return recordUndelivered(state, {
        error: {
          code: 'undelivered',
          message: report.reason ?? 'non-delivery reported by the provider',
        },
        at,
      });
  }
}

/**
 * Our own ids in their three spellings; anything else is a provider's id (a Twilio-style SID),
 * looked up in the outbound-messages read model.
 */
function ownOutboundIdOf(messageId: string): string | null {
  let id = messageId.trim();
  const smtp = /^<([^@>]+)@missive>$/.exec(id);
  if (smtp) id = smtp[1]!;
  if (id.startsWith('comms_message_')) id = id.slice('comms_message_'.length);
  return ULID_PATTERN.test(id) ? id : null;
}

function parseBody(rawBody: Buffer): DeliveryWebhookDto {
  let json: unknown;
  const text = rawBody.toString('utf8');
  if (jsonNestsDeeperThan(text, MAX_JSON_DEPTH)) {
    throw badRequest(`the body nests deeper than ${MAX_JSON_DEPTH} levels`);
  }
  try {
    json = JSON.parse(text);
  } catch {
    throw badRequest('the body must be JSON');
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw badRequest('the body must be a JSON object with "events"');
  }
  if (!('events' in json)) throw badRequest('events is missing');
  const dto = plainToInstance(DeliveryWebhookDto, json);
  const errors = validateSync(dto, { forbidUnknownValues: false });
  if (errors.length > 0) throw badRequest(firstMessage(errors));
  return dto;
}

function firstMessage(errors: ValidationError[], path = ''): string {
  for (const error of errors) {
    const here = path ? `${path}.${error.property}` : error.property;
    const constraint = Object.values(error.constraints ?? {})[0];
    if (constraint) return constraint.replace(error.property, here);
    const nested = firstMessage(error.children ?? [], here);
    if (nested) return nested;
  }
  return '';
}

function badRequest(message: string): CanvasError {
  return new CanvasError(400, { errors: [{ message }] });
}

/** A header sent once, or several times joined as Node joins them. */
function headerOf(req: AuthenticatedRequest, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}
