import { Inject, Logger } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import {
  commsStreamMaxAgeSeconds,
  createMessageOperation,
  createOutboundMessage,
  evolveMessageOperation,
  IdGenerator,
  markMessageOperationProcessed,
  newUlid,
  operationMessageId,
  streams,
  type OutboundMessageCreated,
} from '@missive/domain';
import {
  execute,
  toEventData,
  WrongExpectedVersionError,
  type CommandContext,
  type EventStore,
} from '@missive/event-store';
import { CanvasError } from '../http/canvasError';
import { ReadYourWrites } from '../infrastructure/readYourWrites';
import { EVENT_STORE } from '../infrastructure/tokens';
import type { SendPlan } from './sendPlan';

export class SendMessagesCommand {
  constructor(
    readonly plan: SendPlan,
    readonly createdAt: Date,
    readonly ctx: CommandContext,
  ) {}
}

/**
 * Appends in flight at once. The SQLite store commits concurrent appends together (one fsync
 * per group of up to 1,000), and EventStoreDB pipelines them over one connection, so a wide
 * window is what makes a 10,000-recipient send fast; see BENCHMARKS.md for the measurement.
 */
export const FAN_OUT_CONCURRENCY = 512;

async function forEachConcurrently<T>(
  items: readonly T[],
  concurrency: number,
  work: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      await work(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

/**
 * `POST /v1/Messages`: the operation (`operation-<id>`), one `outbound-<id>` stream per
 * addressable recipient, then the operation marked processed; answered once the Comms read
 * model shows all of it (read-your-writes), with the operation id.
 *
 * Message ids derive from the operation id and the recipient's index, and each message is
 * created with `no_stream`, so running the fan-out again (a retry) finds the messages already
 * there and creates nothing twice. The delivery dispatcher picks each message up from its
 * creation event (or holds it until `scheduledFor`).
 */
@CommandHandler(SendMessagesCommand)
export class SendMessagesHandler implements ICommandHandler<SendMessagesCommand, string> {
  private readonly logger = new Logger('SendMessagesHandler');

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly ids: IdGenerator,
    private readonly readYourWrites: ReadYourWrites,
  ) {}

  /**
   * Retention metadata ($maxAge on EventStoreDB). Failing to set it must not fail the send: the
   * messages exist and will go out, and a failed request would invite a duplicate retry. The
   * read model enforces retention regardless.
   */
  private async retain(stream: string, seconds: number): Promise<void> {
    try {
      await this.store.setStreamMaxAge?.(stream, seconds);
    } catch (error) {
      this.logger.warn(`could not set $maxAge on ${stream}: ${String(error)}`);
    }
  }

  async execute({ plan, createdAt, ctx }: SendMessagesCommand): Promise<string> {
    const operationId = newUlid(createdAt);
    const at = createdAt.toISOString();
    const maxAge = commsStreamMaxAgeSeconds(at, plan.scheduledFor);
    const operationStream = streams.operation(operationId);
    await execute(
      this.store,
      operationStream,
      evolveMessageOperation,
      (state) =>
        createMessageOperation(state, {
          operationId,
          recipients: plan.recipients,
          messages: plan.messages.length,
          unaddressable: plan.unaddressable,
          scheduledFor: plan.scheduledFor,
          tags: plan.tags,
          createdAt: at,
        }),
      ctx,
    );
    await this.retain(operationStream, maxAge);

    await forEachConcurrently(plan.messages, FAN_OUT_CONCURRENCY, async (message, index) => {
      const outboundId = operationMessageId(operationId, index, createdAt);
      const data: OutboundMessageCreated['data'] = {
        outboundId,
        messageId: this.ids.next(),
        kind: 'comms',
        userId: null,
        channelId: null,
        channel: message.channel,
        to: message.to,
        from: message.from,
        fromName: null,
        replyTo: null,
        subject: null,
        body: message.text,
        htmlBody: null,
        media: [...message.media],
        conversationId: null,
        operationId,
        tags: plan.tags,
        scheduledFor: plan.scheduledFor,
        cause: null,
        suppressed: false,
        createdAt: at,
      };
      const stream = streams.outbound(outboundId);
      const events = createOutboundMessage(null, data).map((e) => toEventData(e, ctx, createdAt));
      try {
        await this.store.append(stream, events, { expectedRevision: 'no_stream' });
      } catch (error) {
        if (!(error instanceof WrongExpectedVersionError)) throw error;
        // Created by an earlier run of this fan-out: the same id names the same message.
      }
      await this.retain(stream, maxAge);
    });

    const processed = await execute(
      this.store,
      operationStream,
      evolveMessageOperation,
      (state) => markMessageOperationProcessed(state, { processedAt: new Date().toISOString() }),
      ctx,
    );
    try {
      await this.readYourWrites.waitFor('comms', processed.result?.position);
    } catch (error) {
      // Accepted and durable: a 503 here would invite a retry, and a retry sends it all twice.
      // The operation shows up in reads as soon as the projection catches up.
      if (!(error instanceof CanvasError && error.status === 503)) throw error;
    }
    return operationId;
  }
}
