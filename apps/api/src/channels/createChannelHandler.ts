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
import { freshIds, type IdSource } from '../idempotency/requestIds';
import { logHead } from '../infrastructure/logHead';
import { ReadYourWrites } from '../infrastructure/readYourWrites';
import { crashPoint } from '../operability/crashPoint';
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
    /** The id the request takes; fresh by default (see requestIds: an Idempotency-Key). */
    readonly ids?: IdSource,
    /**
     * Part of a user create finishing what an attempt killed mid-request began: a live channel
     * at the address is the one that attempt added to the new user, not a duplicate.
     */
    readonly resuming = false,
  ) {}
}

export interface CreatedChannel {
  /** The channel added or revived (or found so, by a retry). */
  channelId: string;
  /** False when a retry found everything already written by the attempt it retries. */
  written: boolean;
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
 *
 * Retry-safe: the request's id (fixed by an Idempotency-Key) is a new channel's id and is
 * recorded in a revival, so a retry after a crash finds the channel its own first attempt
 * added or revived and answers it; a claim whose channel was never written is completed.
 */
@CommandHandler(CreateChannelCommand)
export class CreateChannelHandler implements ICommandHandler<CreateChannelCommand, CreatedChannel> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly ids: IdGenerator,
    private readonly channels: ChannelQueries,
    private readonly readYourWrites: ReadYourWrites,
    private readonly codes: ConfirmationCodes,
    private readonly streamKeys: StreamKeys,
  ) {}

  async execute(cmd: CreateChannelCommand): Promise<CreatedChannel> {
    const { userId, params, ctx } = cmd;
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
    const [requestId] = await (cmd.ids ?? freshIds(this.ids)).take(1);
    const command = (channelId: string): AddChannel => ({
      channelId,
      requestId: requestId!,
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
        channelId = requestId!;
        addChannel(null, command(channelId)); // validation only: a refusal claims nothing
        if (!(await this.claim(reservation, { userId, type, address, channelId }, ctx))) continue;
        crashPoint('channel-create:address-claimed');
      }
      // A claim whose channel was never written (a crash between the appends) is completed
      // here with the claimed id; a retired channel is revived; a live one is a duplicate,
      // unless this request (retried) is what made it live.
      const add = command(channelId);
      const { result } = await execute(
        this.store,
        streams.channel(channelId),
        evolveChannel,
        (state) =>
          cmd.resuming && state && state.workflowState !== 'retired' ? [] : addChannel(state, add),
        ctx,
      );
      if (result) crashPoint('channel-create:channel-added');
      await this.readYourWrites.waitFor(
        'channels',
        result?.position ?? (await logHead(this.store)),
      );
      return { channelId, written: result !== null };
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
