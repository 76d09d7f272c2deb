import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { evolveChannel, removeChannel, streams } from '@missive/domain';
import type { EventStore } from '@missive/event-store';
import type { CommandContext } from '@missive/command-handling';
import { execute } from '@missive/command-handling';
import { ReadYourWrites } from '../infrastructure/readYourWrites';
import { EVENT_STORE } from '../infrastructure/tokens';

export class RemoveChannelCommand {
  constructor(
    readonly channelId: string,
    readonly ctx: CommandContext,
  ) {}
}

/**
 * Soft delete: the channel becomes `retired`. Its address claim stays, so adding the same
 * address again revives this channel rather than creating another.
 */
@CommandHandler(RemoveChannelCommand)
export class RemoveChannelHandler implements ICommandHandler<RemoveChannelCommand, void> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly readYourWrites: ReadYourWrites,
  ) {}

  async execute({ channelId, ctx }: RemoveChannelCommand): Promise<void> {
    const removedAt = new Date().toISOString();
    const { result } = await execute(
      this.store,
      streams.channel(channelId),
      evolveChannel,
      (state) => removeChannel(state, { removedAt }),
      ctx,
    );
    await this.readYourWrites.waitFor('channels', result?.position);
  }
}
