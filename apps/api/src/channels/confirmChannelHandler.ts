import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { ConfirmationCodes, confirmChannel, evolveChannel, streams } from '@missive/domain';
import type { EventStore } from '@missive/event-store';
import type { CommandContext } from '@missive/command-handling';
import { execute } from '@missive/command-handling';
import { ReadYourWrites } from '../infrastructure/readYourWrites';
import { EVENT_STORE } from '../infrastructure/tokens';

export class ConfirmChannelCommand {
  constructor(
    readonly channelId: string,
    readonly code: string,
    readonly ctx: CommandContext,
  ) {}
}

@CommandHandler(ConfirmChannelCommand)
export class ConfirmChannelHandler implements ICommandHandler<ConfirmChannelCommand, void> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly readYourWrites: ReadYourWrites,
    private readonly codes: ConfirmationCodes,
  ) {}

  async execute({ channelId, code, ctx }: ConfirmChannelCommand): Promise<void> {
    const confirmedAt = new Date().toISOString();
    const { result } = await execute(
      this.store,
      streams.channel(channelId),
      evolveChannel,
      (state) =>
        confirmChannel(state, {
          code,
          codeFor: (id, nonce) => this.codes.codeFor(id, nonce),
          confirmedAt,
        }),
      ctx,
    );
    await this.readYourWrites.waitFor('channels', result?.position);
  }
}
