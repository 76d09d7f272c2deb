import { loginKeyOf, streams, type ChannelType } from '@missive/domain';
import { streamKeyOf } from '@missive/personal-data';

/**
 * Names of the reservation streams that are keyed by personal data (a login id, a channel
 * address), keyed with an HMAC whose secret lives in the key store, never in the log: the
 * names reveal nothing and cannot be linked to an address by hashing guesses. Logs written
 * before reservations were keyed this way used the plain forms, given as `legacy…` so that
 * their reservations still count.
 */
export class StreamKeys {
  constructor(private readonly secret: Buffer) {}

  login(loginId: string): string {
    return streams.login(streamKeyOf(this.secret, loginKeyOf(loginId)));
  }

  legacyLogin(loginId: string): string {
    return streams.login(loginKeyOf(loginId));
  }

  /**
   * A keyed hash of a request's fields, recorded in a reservation to name the request that
   * made it (see LoginClaimed's `request`): as unlinkable to its fields as the names above.
   */
  requestFingerprint(fields: unknown): string {
    return streamKeyOf(this.secret, JSON.stringify(fields));
  }

  channelAddress(userId: string, type: ChannelType, address: string): string {
    const key = streamKeyOf(this.secret, `${type}:${address.trim().toLowerCase()}`);
    return streams.channelAddress(`${userId}.${type}.${key}`);
  }
}
