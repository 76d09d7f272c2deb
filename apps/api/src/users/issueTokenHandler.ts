import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { DomainError, IdGenerator, evolveUser, issueAccessToken, streams } from '@missive/domain';
import type { EventStore } from '@missive/event-store';
import { UserQueries } from '@missive/read-models';
import { hashToken, newToken } from '../auth/tokenHash';
import type { CommandContext } from '@missive/command-handling';
import { execute } from '@missive/command-handling';
import { freshIds, type IdSource } from '../idempotency/requestIds';
import { logHead } from '../infrastructure/logHead';
import { ReadYourWrites } from '../infrastructure/readYourWrites';
import { EVENT_STORE } from '../infrastructure/tokens';
import { crashPoint } from '../operability/crashPoint';

export class IssueTokenCommand {
  constructor(
    readonly userId: string,
    readonly params: { purpose?: string; expiresAt?: string },
    readonly ctx: CommandContext,
    /** The token's id and value; fresh by default (see requestIds: an Idempotency-Key). */
    readonly ids?: IdSource,
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

/**
 * Issues an access token. With an Idempotency-Key the key fixes the token's id and the token
 * itself (kept with the key, as the answer that reveals it is), so a retry after a crash
 * finds the token its first attempt issued and answers it: the client gets a token it can
 * use, and no token is left that nobody was ever shown.
 */
@CommandHandler(IssueTokenCommand)
export class IssueTokenHandler implements ICommandHandler<IssueTokenCommand, IssuedToken> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly ids: IdGenerator,
    private readonly readYourWrites: ReadYourWrites,
    private readonly users: UserQueries,
  ) {}

  async execute({ userId, params, ctx, ids }: IssueTokenCommand): Promise<IssuedToken> {
    const source = ids ?? freshIds(this.ids);
    const [tokenId] = await source.take(1);
    const [token] = await source.take(1, () => newToken('1'));
    const createdAt = new Date().toISOString();
    const expiresAt = params.expiresAt ? new Date(params.expiresAt).toISOString() : null;
    const { result } = await execute(
      this.store,
      streams.user(userId),
      evolveUser,
      (state) =>
        issueAccessToken(state, {
          tokenId: tokenId!,
          tokenHash: hashToken(token!),
          hint: token!.slice(-4),
          purpose: params.purpose ?? null,
          createdAt,
          expiresAt,
        }),
      ctx,
    );
    if (result) {
      crashPoint('token-issue:token-issued');
      await this.readYourWrites.waitFor('users', result.position);
      return {
        id: tokenId!,
        userId,
        purpose: params.purpose ?? null,
        createdAt,
        expiresAt,
        visibleToken: token!,
      };
    }
    // Issued by the attempt this one retries: answered as it was recorded.
    await this.readYourWrites.waitFor('users', await logHead(this.store));
    const issued = await this.users.token(userId, tokenId!);
    if (!issued) {
      // Revoked since: the token this request made is gone.
      throw new DomainError('not_found', 'token', 'The specified resource does not exist.');
    }
    return { ...issued, visibleToken: token! };
  }
}
