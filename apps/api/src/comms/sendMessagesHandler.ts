import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import {
  claimMessageOperation,
  commsExpiresAt,
  commsStreamMaxAgeSeconds,
  createMessageOperation,
  DomainError,
  evolveMessageOperation,
  derivedEventId,
  newUlid,
  splitFanOut,
  streams,
  type MessageOperationFanOut,
  type MessageOperationFanOutPart,
} from '@missive/domain';
import { type EventStore, type Position } from '@missive/event-store';
import { execute, toEventData, type CommandContext } from '@missive/command-handling';
import type { AppConfig } from '../config/appConfig';
import { CanvasError } from '../http/canvasError';
import { ReadYourWrites } from '../infrastructure/readYourWrites';
import { APP_CONFIG, EVENT_STORE } from '../infrastructure/tokens';
import { JobRunner, type JobLeaseSettings } from '../jobs/jobRunner';
import { JOB_LEASE } from '../jobs/jobTokens';
import { SendMessagesJob } from './sendMessagesJob';
import type { SendPlan } from './sendPlan';

export { FAN_OUT_CONCURRENCY } from './sendMessagesJob';

const isAlreadyCreated = (error: unknown) =>
  error instanceof DomainError && error.kind === 'conflict' && error.attribute === 'operationId';

export class SendMessagesCommand {
  constructor(
    readonly plan: SendPlan,
    readonly createdAt: Date,
    /** Given (derived from an Idempotency-Key): an operation already there is this send's own. */
    readonly operationId: string | undefined,
    readonly ctx: CommandContext,
  ) {}
}

/** The plan as the operation records it: each channel's sender once, variables unrendered. */
export function fanOutOf(plan: SendPlan): MessageOperationFanOut {
  const from: MessageOperationFanOut['from'] = {};
  for (const m of plan.messages) from[m.channel] ??= m.from;
  return {
    text: plan.text,
    media: [...plan.media],
    from,
    messages: plan.messages.map((m) => ({
      channel: m.channel,
      to: m.to,
      ...(m.from !== from[m.channel] ? { from: m.from } : {}),
      ...(m.variables ? { variables: m.variables } : {}),
    })),
  };
}

/**
 * `POST /v1/Messages`: the operation (`operation-<id>`), holding every message to create and
 * this process's claim on the fan-out, in one append; then the fan-out (SendMessagesJob), run
 * here before answering, once the Comms read model shows all of it (read-your-writes).
 *
 * Should this process die part-way, the operation stays PROCESSING only until its lease runs
 * out: any API process's job runner then finishes the fan-out, creating only the messages
 * still missing (their ids derive from the operation and the recipient's index).
 */
@CommandHandler(SendMessagesCommand)
export class SendMessagesHandler implements ICommandHandler<SendMessagesCommand, string> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly readYourWrites: ReadYourWrites,
    private readonly jobs: JobRunner,
    private readonly job: SendMessagesJob,
    @Inject(JOB_LEASE) private readonly lease: JobLeaseSettings,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async execute(cmd: SendMessagesCommand): Promise<string> {
    const operationId = cmd.operationId ?? newUlid(cmd.createdAt);
    const operationStream = streams.operation(operationId);
    const createdAt = cmd.createdAt.toISOString();
    // The retention in force now is the send's: recorded with it, so that every reader (the
    // read model, a rebuild, a subscriber) agrees on when the records end.
    const expiresAt = commsExpiresAt(
      createdAt,
      cmd.plan.scheduledFor,
      this.config.commsRetentionMs,
    );
    try {
      await this.create(operationId, cmd, expiresAt);
    } catch (error) {
      if (!(cmd.operationId && isAlreadyCreated(error))) throw error;
      // A retry of a send whose first attempt died after recording it: that attempt's
      // operation stands, and its fan-out is finished by whichever runner holds it.
      await this.jobs.run(this.job, operationId);
      await this.answerWhenVisible(operationStream);
      return operationId;
    }
    const maxAge = commsStreamMaxAgeSeconds(createdAt, expiresAt);
    await this.job.retain(operationStream, maxAge);
    await this.job.retain(streams.operationFanOut(operationId), maxAge);
    await this.jobs.run(this.job, operationId, { claimed: true });
    await this.answerWhenVisible(operationStream);
    return operationId;
  }

  private async create(
    operationId: string,
    { plan, createdAt, ctx }: SendMessagesCommand,
    expiresAt: string,
  ): Promise<void> {
    const at = createdAt.toISOString();
    const operationStream = streams.operation(operationId);
    const { fanOut, parts } = splitFanOut(operationId, fanOutOf(plan));
    await this.appendFanOutParts(parts, ctx, createdAt);
    await execute(
      this.store,
      operationStream,
      evolveMessageOperation,
      (state) => {
        const created = createMessageOperation(state, {
          operationId,
          recipients: plan.recipients,
          messages: plan.messages.length,
          unaddressable: plan.unaddressable,
          scheduledFor: plan.scheduledFor,
          tags: plan.tags,
          createdAt: at,
          expiresAt,
          fanOut,
        });
        const claim = {
          runner: this.lease.runner,
          leaseMs: this.lease.leaseMs,
          now: this.lease.now(),
        };
        return [
          ...created,
          ...claimMessageOperation(evolveMessageOperation(state, created[0]!), claim),
        ];
      },
      ctx,
      { now: () => createdAt },
    );
  }

  /**
   * A send too large for one append writes its messages first, one part per append. Their ids
   * derive from the operation, so a retry under the same Idempotency-Key re-appends nothing.
   */
  private async appendFanOutParts(
    parts: readonly MessageOperationFanOutPart[],
    ctx: CommandContext,
    now: Date,
  ): Promise<void> {
    for (const part of parts) {
      const { operationId, part: k } = part.data;
      const id = derivedEventId(operationId, 'fan-out part', String(k));
      const base = toEventData(part, ctx, now);
      await this.store.append(
        streams.operationFanOut(operationId),
        [{ ...base, id, metadata: { ...base.metadata, eventId: id } }],
        { expectedRevision: k === 0 ? 'no_stream' : k - 1 },
      );
    }
  }

  private async answerWhenVisible(operationStream: string): Promise<void> {
    try {
      await this.readYourWrites.waitFor('comms', await this.lastPosition(operationStream));
    } catch (error) {
      // Accepted and durable: a 503 here would invite a retry, and a retry sends it all twice.
      // The operation shows up in reads as soon as the projection catches up.
      if (!(error instanceof CanvasError && error.status === 503)) throw error;
    }
  }

  /** Where the operation's stream ends: processed, or (should the fan-out have failed) claimed. */
  private async lastPosition(stream: string): Promise<Position | null> {
    let position: Position | null = null;
    for await (const event of this.store.readStream(stream)) position = event.position;
    return position;
  }
}
