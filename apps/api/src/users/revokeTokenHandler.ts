import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { evolveUser, revokeAccessToken, streams } from '@missive/domain';
import type { EventStore } from '@missive/event-store';
import type { CommandContext } from '@missive/command-handling';
import { execute } from '@missive/command-handling';
import { ReadYourWrites } from '../infrastructure/readYourWrites';
import { EVENT_STORE } from '../infrastructure/tokens';

export class RevokeTokenCommand {
  constructor(
    readonly userId: string,
    readonly tokenId: string,
    readonly ctx: CommandContext,
  ) {}
}

/** Revokes a token; once answered, the token no longer authenticates (read-your-writes). */
@CommandHandler(RevokeTokenCommand)
export class RevokeTokenHandler implements ICommandHandler<RevokeTokenCommand, void> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly readYourWrites: ReadYourWrites,
  ) {}

  async execute({ userId, tokenId, ctx }: RevokeTokenCommand): Promise<void> {
    const revokedAt = new Date().toISOString();
    const { result } = await execute(
      this.store,
      streams.user(userId),
      evolveUser,
      (s) => revokeAccessToken(s, { tokenId, revokedAt }),
      ctx,
    );
    await this.readYourWrites.waitFor('users', result?.position);
  }
}
