import type { DomainEvent } from '../shared/domainEvent';

export type UserRegistered = DomainEvent<
  'UserRegistered',
  {
    userId: string;
    name: string;
    shortName: string;
    sortableName: string;
    loginId: string;
    siteAdmin: boolean;
    createdAt: string;
  }
>;

/** Only a hash of the token is ever stored; `hint` is its last four characters, as Canvas shows. */
export type AccessTokenIssued = DomainEvent<
  'AccessTokenIssued',
  {
    userId: string;
    tokenId: string;
    tokenHash: string;
    hint: string;
    purpose: string | null;
    createdAt: string;
    expiresAt: string | null;
  }
>;

export type AccessTokenRevoked = DomainEvent<
  'AccessTokenRevoked',
  { userId: string; tokenId: string; revokedAt: string }
>;

export type UserEvent = UserRegistered | AccessTokenIssued | AccessTokenRevoked;

/** Claims a login id for one user; the `login-<key>` stream exists once per login. */
export type LoginClaimed = DomainEvent<'LoginClaimed', { loginId: string; userId: string }>;
