import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { IdGenerator, evolveUser, issueAccessToken, streams } from '@missive/domain';
import type { EventStore } from '@missive/event-store';
import { hashToken, newToken } from '../auth/tokenHash';
import type { CommandContext } from '@missive/command-handling';
import { execute } from '@missive/command-handling';
import { ReadYourWrites } from '../infrastructure/readYourWrites';
import { EVENT_STORE } from '../infrastructure/tokens';

export class IssueTokenCommand {
  constructor(
    readonly userId: string,
    readonly params: { purpose?: string; expiresAt?: string; token?: string; tokenId?: string },
    readonly ctx: CommandContext,
  ) {}
}

export interface IssuedToken {
  id: string;
  userId: string;
  purpose: string | null;
  createdAt: string;
  expiresAt: string | null;
  /** The only time the token itself is revealed. */
  visibleToken: string;
}

@CommandHandler(IssueTokenCommand)
export class IssueTokenHandler implements ICommandHandler<IssueTokenCommand, IssuedToken> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly ids: IdGenerator,
    private readonly readYourWrites: ReadYourWrites,
  ) {}

  async execute({ userId, params, ctx }: IssueTokenCommand): Promise<IssuedToken> {
    const token = params.token ?? newToken('1');
    const tokenId = params.tokenId ?? this.ids.next();
    const createdAt = new Date().toISOString();
    const expiresAt = params.expiresAt ? new Date(params.expiresAt).toISOString() : null;
    const { result } = await execute(
      this.store,
      streams.user(userId),
      evolveUser,
      (state) =>
        issueAccessToken(state, {
          tokenId,
          tokenHash: hashToken(token),
          hint: token.slice(-4),
          purpose: params.purpose ?? null,
          createdAt,
          expiresAt,
        }),
      ctx,
    );
    await this.readYourWrites.waitFor('users', result?.position);
    return {
      id: tokenId,
      userId,
      purpose: params.purpose ?? null,
      createdAt,
      expiresAt,
      visibleToken: token,
    };
  }
}
