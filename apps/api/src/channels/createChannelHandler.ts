import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import {
  ConfirmationCodes,
  IdGenerator,
  addChannel,
  channelAddressKeyOf,
  channelTypeOf,
  checkChannelAddress,
  evolveChannel,
  streams,
  type AddChannel,
  type ChannelAddressClaimed,
} from '@missive/domain';
import { WrongExpectedVersionError, type EventStore } from '@missive/event-store';
import { ChannelQueries } from '@missive/read-models';
import type { CommandContext } from '@missive/command-handling';
import { execute, toEventData } from '@missive/command-handling';
import { ReadYourWrites } from '../infrastructure/readYourWrites';
import { StreamKeys } from '../infrastructure/streamKeys';
import { EVENT_STORE } from '../infrastructure/tokens';

export class CreateChannelCommand {
  constructor(
    readonly userId: string,
    readonly params: {
      type?: string;
      address?: string;
      token?: string;
      /** Already restricted to site admins by the caller. */
      skipConfirmation: boolean;
    },
    readonly ctx: CommandContext,
  ) {}
}

const CLAIM_ATTEMPTS = 3;

/**
 * Uniqueness per user/type/address is a reservation stream (`channeladdress-`), as logins
 * are: it exists once and names the channel forever, so concurrent creates cannot both add
 * an address, and re-creating a retired address revives the same channel. Position and the
 * 100-channel limit come from the read model, which read-your-writes keeps current for a
 * client's own sequential requests; only simultaneous creates for one user could tie on a
 * position (the list then orders by id) or pass the limit by the number in flight, the same
 * window Canvas's own count-then-insert leaves.
 * Returns the id of the channel added or revived.
 */
@CommandHandler(CreateChannelCommand)
export class CreateChannelHandler implements ICommandHandler<CreateChannelCommand, string> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly ids: IdGenerator,
    private readonly channels: ChannelQueries,
    private readonly readYourWrites: ReadYourWrites,
    private readonly codes: ConfirmationCodes,
    private readonly streamKeys: StreamKeys,
  ) {}

  async execute({ userId, params, ctx }: CreateChannelCommand): Promise<string> {
    const type = channelTypeOf(params.type);
    const address = checkChannelAddress(
      type,
      (type === 'push' ? params.token : params.address) ?? '',
    );
    const reservation = this.streamKeys.channelAddress(userId, type, address);
    // Reservations made before they were keyed by HMAC sit under the plain hash's name.
    const legacy = streams.channelAddress(channelAddressKeyOf(userId, type, address));
    const createdAt = new Date().toISOString();
    const [existingCount, position] = await Promise.all([
      this.channels.countUnretired(userId),
      this.channels.nextPosition(userId),
    ]);
    const command = (channelId: string): AddChannel => ({
      channelId,
      userId,
      type,
      address,
      position,
      existingCount,
      skipConfirmation: params.skipConfirmation,
      confirmationNonce: this.codes.newNonce(),
      createdAt,
    });

    for (let attempt = 0; attempt < CLAIM_ATTEMPTS; attempt++) {
      let channelId =
        (await this.claimedChannel(reservation)) ?? (await this.claimedChannel(legacy));
      if (!channelId) {
        channelId = this.ids.next();
        addChannel(null, command(channelId)); // validation only: a refusal claims nothing
        if (!(await this.claim(reservation, { userId, type, address, channelId }, ctx))) continue;
      }
      // A claim whose channel was never written (a crash between the appends) is completed
      // here with the claimed id; a retired channel is revived; a live one is a duplicate.
      const cmd = command(channelId);
      const { result } = await execute(
        this.store,
        streams.channel(channelId),
        evolveChannel,
        (state) => addChannel(state, cmd),
        ctx,
      );
      await this.readYourWrites.waitFor('channels', result?.position);
      return channelId;
    }
    throw new Error('channel address claim kept conflicting');
  }

  private async claimedChannel(stream: string): Promise<string | null> {
    for await (const event of this.store.readStream(stream, {
      maxCount: 1,
    })) {
      return (event.data as ChannelAddressClaimed['data']).channelId;
    }
    return null;
  }

  /** False when another request claimed the address first (then its channel is reused). */
  private async claim(
    stream: string,
    data: ChannelAddressClaimed['data'],
    ctx: CommandContext,
  ): Promise<boolean> {
    const claimed: ChannelAddressClaimed = { type: 'ChannelAddressClaimed', data };
    try {
      await this.store.append(stream, [toEventData(claimed, ctx, new Date())], {
        expectedRevision: 'no_stream',
      });
      return true;
    } catch (err) {
      if (err instanceof WrongExpectedVersionError) return false;
      throw err;
    }
  }
}
