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
import { ReadYourWrites } from '../infrastructure/readYourWrites';
import { StreamKeys } from '../infrastructure/streamKeys';
import { EVENT_STORE } from '../infrastructure/tokens';
import { CreateChannelCommand } from '../channels/createChannelHandler';

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
    /** Fixed id for the bootstrap admin; otherwise allocated. */
    readonly userId?: string,
    readonly channel?: FirstChannel,
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

/**
 * Claims the login id (a `login-` stream, named by an HMAC of the id, that can exist once), then
 * writes the user stream, then the first channel if one is asked for (its address claimed the
 * same way, by the channel command). All three validate before anything is written, so a
 * refused request leaves no trace.
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
    const { params, ctx, userId: fixedId, channel } = cmd;
    if (channel) checkChannelAddress(channelTypeOf(channel.type), channel.address);
    const userId = fixedId ?? this.ids.next();
    const createdAt = new Date().toISOString();
    const decide = (state: Parameters<typeof registerUser>[0]) =>
      registerUser(state, { userId, ...params, createdAt });
    decide(null); // validation only: nothing is written for bad input

    const claim: LoginClaimed = {
      type: 'LoginClaimed',
      data: { loginId: params.loginId.trim(), userId },
    };
    // A login claimed before reservations were keyed by HMAC sits under its plain name.
    for await (const _ of this.store.readStream(this.streamKeys.legacyLogin(params.loginId), {
      maxCount: 1,
    })) {
      throw new LoginTakenError();
    }
    try {
      await this.store.append(
        this.streamKeys.login(params.loginId),
        [toEventData(claim, ctx, new Date())],
        {
          expectedRevision: 'no_stream',
        },
      );
    } catch (err) {
      if (err instanceof WrongExpectedVersionError) throw new LoginTakenError();
      throw err;
    }
    const { result } = await execute(this.store, streams.user(userId), evolveUser, decide, ctx);
    await this.readYourWrites.waitFor('users', result?.position);
    const user = await this.users.findById(userId);
    if (!user) throw new Error(`user ${userId} missing from the read model after its checkpoint`);
    if (channel) {
      await this.commands.execute(
        new CreateChannelCommand(
          userId,
          {
            type: channel.type,
            address: channel.address,
            skipConfirmation: channel.skipConfirmation,
          },
          ctx,
        ),
      );
    }
    return user;
  }
}
