import {
  Body,
  Controller,
  HttpCode,
  Inject,
  Post,
  Req,
  UseFilters,
  UseGuards,
} from '@nestjs/common';
import {
  evolveOutboundMessage,
  recordAttemptFailed,
  recordDelivered,
  recordUndelivered,
  streams,
  type OutboundEvent,
  type OutboundMessageState,
} from '@missive/domain';
import { type EventStore } from '@missive/event-store';
import { execute, load } from '@missive/command-handling';
import { CommsQueries } from '@missive/read-models';
import { Public } from '../auth/public';
import { EVENT_STORE } from '../infrastructure/tokens';
import { CommsAuthGuard, ProviderWebhook, type CommsRequest } from './commsAuthGuard';
import { CommsError } from './commsError';
import { CommsExceptionFilter } from './commsExceptionFilter';
import { CommsQueryPipe } from './commsValidation';
import { ProviderStatusDto, type ProviderStatus } from './providerStatusDto';

/** What a provider could not say: Twilio's "Unknown error". */
const UNKNOWN_ERROR = '30008';

/**
 * The HTTP provider's status webhook (a Missive extension): later fates of messages the
 * `http-provider` transport handed over. Authenticated with `Authorization: Bearer
 * <COMMS_WEBHOOK_TOKEN>` or the Comms Basic credentials, and not rate limited (throttling a
 * provider's callbacks only delays statuses). The message is found by `reference` (the outbound
 * id the transport sent), else by the provider's `sid`; an unknown message is a 404 so that the
 * provider retries, since the report can overtake the projection of the send.
 *
 * `delivered` and `undelivered` are recorded; `failed` fails the attempt while it is still in
 * flight, and afterwards (the provider had accepted it) counts as undelivered. Earlier statuses
 * and `read` (not modelled) change nothing. A repeated report changes nothing either: the
 * deciders ignore what no longer applies.
 */
@Public()
@ProviderWebhook()
@UseGuards(CommsAuthGuard)
@UseFilters(CommsExceptionFilter)
@Controller('v1/Messages/ProviderStatus')
export class ProviderStatusController {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly queries: CommsQueries,
  ) {}

  // Providers post forms as often as JSON, and add fields of their own: validate, ignore extras.
  @Post()
  @HttpCode(204)
  async receive(@Body(CommsQueryPipe) body: ProviderStatusDto, @Req() req: CommsRequest) {
    const status = (body.status ?? body.MessageStatus)!;
    const sid = body.sid ?? body.MessageSid;
    const error = {
      code: body.errorCode ?? body.ErrorCode ?? UNKNOWN_ERROR,
      message: body.errorMessage ?? body.ErrorMessage ?? `provider reported ${status}`,
    };
    const outboundId = await this.find(body.reference, sid);
    if (!outboundId) throw CommsError.notFound();
    const at = new Date().toISOString();
    const decide = decisionFor(status, error, at);
    if (!decide) return;
    await execute(this.store, streams.outbound(outboundId), evolveOutboundMessage, decide, {
      actorUserId: null,
      correlationId: req.correlationId,
      causationId: 'http:POST /v1/Messages/ProviderStatus',
    });
  }

  /** A Comms message whose recorded provider id, once known, is the one reported. */
  private async find(reference: string | undefined, sid: string | undefined) {
    if (reference) {
      const { state } = await load<OutboundMessageState, OutboundEvent>(
        this.store,
        streams.outbound(reference),
        evolveOutboundMessage,
      );
      if (!state || state.message.kind !== 'comms') return undefined;
      if (sid && state.providerMessageId && state.providerMessageId !== sid) return undefined;
      return reference;
    }
    return sid ? this.queries.findMessageIdByProviderId(sid, new Date()) : undefined;
  }
}

function decisionFor(
  status: ProviderStatus,
  error: { code: string; message: string },
  at: string,
): ((state: OutboundMessageState | null) => OutboundEvent[]) | null {
  switch (status) {
    case 'delivered':
      return (state) => recordDelivered(state, { deliveredAt: at });
    case 'undelivered':
      return (state) => recordUndelivered(state, { error, at });
    case 'failed':
      return (state) =>
        state?.state === 'sending'
          ? recordAttemptFailed(state, { error, retryAt: null, failedAt: at })
          : recordUndelivered(state, { error, at });
    default:
      return null;
  }
}
