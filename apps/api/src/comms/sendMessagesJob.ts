import {
  type IdGenerator,
  claimMessageOperation,
  commsRecordExpiresAt,
  commsStreamMaxAgeSeconds,
  createOutboundMessage,
  evolveMessageOperation,
  joinFanOut,
  markMessageOperationProcessed,
  operationMessageId,
  streams,
  type MessageOperationCreated,
  type MessageOperationFanOut,
  type MessageOperationFanOutPart,
  type OutboundMessageCreated,
} from '@missive/domain';
import { WrongExpectedVersionError, type EventStore } from '@missive/event-store';
import { load, toEventData, type CommandContext } from '@missive/command-handling';
import type { CommsQueries } from '@missive/read-models';
import { jobContext } from '../jobs/jobContext';
import { jobStart } from '../jobs/jobStart';
import { leasedJobStream } from '../jobs/leasedJobStream';
import { crashPoint } from '../operability/crashPoint';
import type { DurableJob, JobLeaseSettings } from '../jobs/jobRunner';
import { renderVariables } from './sendPlan';

/**
 * Appends in flight at once. The SQLite store commits concurrent appends together (one fsync
 * per group of up to 1,000), and EventStoreDB pipelines them over one connection, so a wide
 * window is what makes a 10,000-recipient send fast; see BENCHMARKS.md for the measurement.
 */
export const FAN_OUT_CONCURRENCY = 512;

export interface SendMessagesJobOptions {
  readonly store: EventStore;
  readonly ids: IdGenerator;
  readonly comms: CommsQueries;
  readonly lease: JobLeaseSettings;
  readonly onRetentionError?: (stream: string, error: unknown) => void;
}

/**
 * The fan-out of a Comms send as a durable job. The operation's creation event lists every
 * message to create (recipient pairing, the text before variables), so any runner can finish
 * it: message ids derive from the operation and the index (operationMessageId) and each is
 * created with `no_stream`, so a repeated or concurrent fan-out creates nothing twice. Only
 * the holder of the operation's lease marks it processed (COMPLETED).
 */
export class SendMessagesJob implements DurableJob {
  readonly name = 'comms-send';

  constructor(private readonly options: SendMessagesJobOptions) {}

  unfinished(limit: number): Promise<string[]> {
    return this.options.comms.unprocessedOperationIds(limit);
  }

  async resume(operationId: string, { claimed = false } = {}): Promise<void> {
    const { store, lease } = this.options;
    const stream = streams.operation(operationId);
    const start = await jobStart(store, stream, 'MessageOperationCreated');
    if (!start) return;
    const created = start.data as MessageOperationCreated['data'];
    const ctx = jobContext(start);
    const { record, claim, run } = leasedJobStream({
      store,
      stream,
      evolve: evolveMessageOperation,
      ctx,
      lease,
      claim: claimMessageOperation,
    });
    await run(async () => {
      if (!claimed) await claim(false);
      const { state } = await load(store, stream, evolveMessageOperation);
      if (!state || state.processed || state.lease?.runner !== lease.runner) return;
      if (state.fanOut) {
        let leaseUntil = Date.parse(state.lease.until);
        let renewing: Promise<unknown> | undefined;
        const renewIfDue = async () => {
          if (leaseUntil - lease.now().getTime() >= lease.leaseMs / 2) return;
          renewing ??= claim(true).then(() => {
            leaseUntil = lease.now().getTime() + lease.leaseMs;
            renewing = undefined;
          });
          await renewing;
        };
        const maxAge = commsStreamMaxAgeSeconds(created.createdAt, commsRecordExpiresAt(created));
        const fanOut = state.fanOut;
        const messages = joinFanOut(fanOut, await this.fanOutParts(operationId, fanOut));
        await forEachConcurrently(messages, FAN_OUT_CONCURRENCY, async (message, index) => {
          await renewIfDue();
          await this.createMessage(operationId, created, ctx, maxAge, index, {
            channel: message.channel,
            to: message.to,
            from: message.from ?? fanOut.from[message.channel]!,
            text: renderVariables(fanOut.text, message.variables),
            media: fanOut.media,
          });
        });
      }
      // An operation from before sends were durable lists no fan-out: closed with what exists.
      await record((s) =>
        markMessageOperationProcessed(s, {
          processedAt: lease.now().toISOString(),
          runner: lease.runner,
        }),
      );
    });
  }

  /** The parts a large send wrote before its operation (none for one that fit inline). */
  private async fanOutParts(
    operationId: string,
    fanOut: MessageOperationFanOut,
  ): Promise<MessageOperationFanOutPart['data'][]> {
    if (fanOut.parts === undefined) return [];
    const parts: MessageOperationFanOutPart['data'][] = [];
    for await (const event of this.options.store.readStream(streams.operationFanOut(operationId))) {
      if (event.type === 'MessageOperationFanOutPart') {
        parts.push(event.data as MessageOperationFanOutPart['data']);
      }
    }
    return parts;
  }

  private async createMessage(
    operationId: string,
    created: MessageOperationCreated['data'],
    ctx: CommandContext,
    maxAge: number,
    index: number,
    message: {
      channel: 'phone' | 'whatsapp';
      to: string;
      from: string;
      text: string;
      media: string[];
    },
  ): Promise<void> {
    const createdAt = new Date(created.createdAt);
    const outboundId = operationMessageId(operationId, index, createdAt);
    const data: OutboundMessageCreated['data'] = {
      outboundId,
      messageId: this.options.ids.next(),
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
      tags: created.tags,
      scheduledFor: created.scheduledFor,
      cause: null,
      suppressed: false,
      createdAt: created.createdAt,
      // The operation's end is its messages' (absent, as on the operation, for older sends).
      ...(created.expiresAt ? { expiresAt: created.expiresAt } : {}),
    };
    const stream = streams.outbound(outboundId);
    const events = createOutboundMessage(null, data).map((e) => toEventData(e, ctx, createdAt));
    try {
      await this.options.store.append(stream, events, { expectedRevision: 'no_stream' });
    } catch (error) {
      if (!(error instanceof WrongExpectedVersionError)) throw error;
      // Created by an earlier or concurrent run of this fan-out: the same id, the same message.
    }
    crashPoint('comms-send:message-created');
    await this.retain(stream, maxAge);
  }

  /**
   * Retention metadata ($maxAge on EventStoreDB). Failing to set it must not fail the send: the
   * messages exist and will go out. The read model enforces retention regardless.
   */
  async retain(stream: string, seconds: number): Promise<void> {
    try {
      await this.options.store.setStreamMaxAge?.(stream, seconds);
    } catch (error) {
      this.options.onRetentionError?.(stream, error);
    }
  }
}

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
