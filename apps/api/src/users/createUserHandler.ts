import { Inject } from '@nestjs/common';
import { CommandBus, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import {
  DomainError,
  IdGenerator,
  channelTypeOf,
  checkChannelAddress,
  evolveUser,
  registerUser,
  streams,
  type LoginClaimed,
} from '@missive/domain';
import { WrongExpectedVersionError, type EventStore } from '@missive/event-store';
import { UserQueries, type UserRecord } from '@missive/read-models';
import type { CommandContext } from '@missive/command-handling';
import { execute, toEventData } from '@missive/command-handling';
import { freshIds, type IdSource } from '../idempotency/requestIds';
import { logHead } from '../infrastructure/logHead';
import { ReadYourWrites } from '../infrastructure/readYourWrites';
import { StreamKeys } from '../infrastructure/streamKeys';
import { EVENT_STORE } from '../infrastructure/tokens';
import { crashPoint } from '../operability/crashPoint';
import { CreateChannelCommand, type CreatedChannel } from '../channels/createChannelHandler';

/** A first communication channel, created with the user. */
export interface FirstChannel {
  type?: string;
  address: string;
  skipConfirmation: boolean;
}

export class CreateUserCommand {
  constructor(
    readonly params: { name?: string; shortName?: string; loginId: string; siteAdmin: boolean },
    readonly ctx: CommandContext,
    readonly channel?: FirstChannel,
    /** The ids it takes; fresh by default (see requestIds: an Idempotency-Key fixes them). */
    readonly ids?: IdSource,
  ) {}
}

export class LoginTakenError extends DomainError {
  constructor() {
    super(
      'conflict',
      'unique_id',
      'ID already in use for this account and authentication provider',
      'taken',
    );
  }
}

/** Whose the login claim is, as this request found it. */
interface LoginClaim {
  userId: string;
  /** This attempt wrote the claim. */
  claimedNow: boolean;
  /** Claimed under the id this request's Idempotency-Key fixed: its own earlier attempt. */
  sameKey: boolean;
}

/**
 * Claims the login id (a `login-` stream, named by an HMAC of the id, that can exist once), then
 * writes the user stream, then the first channel if one is asked for (its address claimed the
 * same way, by the channel command). All three validate before anything is written, so a
 * refused request leaves no trace.
 *
 * Crash-safe by rolling forward: the claim records the request (a keyed hash of who asked and
 * every field), so the same request retried after a crash finds the claim its own and writes
 * whatever the killed attempt did not; any other request finds the login taken. A retry with the
 * same Idempotency-Key (whose ids name the user) is answered with the user however far the first
 * attempt got. Without a key, a retry that finds the create complete is a second create of a
 * taken login, refused as Canvas refuses it: its transaction would have committed whole.
 */
@CommandHandler(CreateUserCommand)
export class CreateUserHandler implements ICommandHandler<CreateUserCommand, UserRecord> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly ids: IdGenerator,
    private readonly users: UserQueries,
    private readonly readYourWrites: ReadYourWrites,
    private readonly streamKeys: StreamKeys,
    private readonly commands: CommandBus,
  ) {}

  async execute(cmd: CreateUserCommand): Promise<UserRecord> {
    const { params, ctx, channel } = cmd;
    if (channel) checkChannelAddress(channelTypeOf(channel.type), channel.address);
    const ids = cmd.ids ?? freshIds(this.ids);
    const [ownId] = await ids.take(1);
    const createdAt = new Date().toISOString();
    const register = (userId: string) => registerUser(null, { userId, ...params, createdAt });
    register(ownId!); // validation only: nothing is written for bad input

    // A login claimed before reservations were keyed by HMAC sits under its plain name.
    for await (const _ of this.store.readStream(this.streamKeys.legacyLogin(params.loginId), {
      maxCount: 1,
    })) {
      throw new LoginTakenError();
    }
    const request = this.streamKeys.requestFingerprint({
      actor: ctx.actorUserId,
      name: params.name ?? null,
      shortName: params.shortName ?? null,
      loginId: params.loginId,
      siteAdmin: params.siteAdmin,
      channel: channel
        ? {
            type: channel.type ?? null,
            address: channel.address,
            skipConfirmation: channel.skipConfirmation,
          }
        : null,
    });
    const claim = await this.claimLogin(params.loginId, ownId!, request, ctx);
    const { userId } = claim;
    if (claim.claimedNow) crashPoint('user-create:login-claimed');

    const { result } = await execute(
      this.store,
      streams.user(userId),
      evolveUser,
      (state) => {
        // Registered by the attempt this one retries (an erased user is nobody's to answer).
        if (state?.erased) throw new LoginTakenError();
        return state ? [] : register(userId);
      },
      ctx,
    );
    if (result) crashPoint('user-create:user-registered');
    let written = claim.claimedNow || result !== null;
    await this.readYourWrites.waitFor('users', result?.position ?? (await logHead(this.store)));
    const user = await this.users.findById(userId);
    if (!user) throw new Error(`user ${userId} missing from the read model after its checkpoint`);
    if (channel) {
      const created = await this.commands.execute<CreateChannelCommand, CreatedChannel>(
        new CreateChannelCommand(
          userId,
          {
            type: channel.type,
            address: channel.address,
            skipConfirmation: channel.skipConfirmation,
          },
          ctx,
          ids,
          !claim.claimedNow,
        ),
      );
      written ||= created.written;
    }
    if (!written && !claim.sameKey) throw new LoginTakenError();
    return user;
  }

  /**
   * Claims the login for `ownId`, or finds it claimed by this same request (an earlier attempt
   * of it, killed mid-request); claimed by any other request, the login is taken.
   */
  private async claimLogin(
    loginId: string,
    ownId: string,
    request: string,
    ctx: CommandContext,
  ): Promise<LoginClaim> {
    const stream = this.streamKeys.login(loginId);
    const claim: LoginClaimed = {
      type: 'LoginClaimed',
      data: { loginId: loginId.trim(), userId: ownId, request },
    };
    try {
      await this.store.append(stream, [toEventData(claim, ctx, new Date())], {
        expectedRevision: 'no_stream',
      });
      return { userId: ownId, claimedNow: true, sameKey: false };
    } catch (err) {
      if (!(err instanceof WrongExpectedVersionError)) throw err;
    }
    for await (const event of this.store.readStream(stream, { maxCount: 1 })) {
      const found = event.data as LoginClaimed['data'];
      if (found.userId === ownId) return { userId: ownId, claimedNow: false, sameKey: true };
      if (found.request === request) {
        return { userId: found.userId, claimedNow: false, sameKey: false };
      }
    }
    throw new LoginTakenError();
  }
}
