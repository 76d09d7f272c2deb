import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import {
  claimMessageOperation,
  commsStreamMaxAgeSeconds,
  createMessageOperation,
  evolveMessageOperation,
  newUlid,
  streams,
  type MessageOperationFanOut,
} from '@missive/domain';
import { execute, type CommandContext, type EventStore, type Position } from '@missive/event-store';
import { CanvasError } from '../http/canvasError';
import { ReadYourWrites } from '../infrastructure/readYourWrites';
import { EVENT_STORE } from '../infrastructure/tokens';
import { JobRunner, type JobLeaseSettings } from '../jobs/jobRunner';
import { JOB_LEASE } from '../jobs/jobTokens';
import { SendMessagesJob } from './sendMessagesJob';
import type { SendPlan } from './sendPlan';

export { FAN_OUT_CONCURRENCY } from './sendMessagesJob';

export class SendMessagesCommand {
  constructor(
    readonly plan: SendPlan,
    readonly createdAt: Date,
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
  ) {}

  async execute({ plan, createdAt, ctx }: SendMessagesCommand): Promise<string> {
    const operationId = newUlid(createdAt);
    const at = createdAt.toISOString();
    const operationStream = streams.operation(operationId);
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
          fanOut: fanOutOf(plan),
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
    await this.job.retain(operationStream, commsStreamMaxAgeSeconds(at, plan.scheduledFor));
    await this.jobs.run(this.job, operationId, { claimed: true });

    try {
      await this.readYourWrites.waitFor('comms', await this.lastPosition(operationStream));
    } catch (error) {
      // Accepted and durable: a 503 here would invite a retry, and a retry sends it all twice.
      // The operation shows up in reads as soon as the projection catches up.
      if (!(error instanceof CanvasError && error.status === 503)) throw error;
    }
    return operationId;
  }

  /** Where the operation's stream ends: processed, or (should the fan-out have failed) claimed. */
  private async lastPosition(stream: string): Promise<Position | null> {
    let position: Position | null = null;
    for await (const event of this.store.readStream(stream)) position = event.position;
    return position;
  }
}
