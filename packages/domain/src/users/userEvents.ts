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

/**
 * The user's personal data was erased: their key is gone, so every field sealed with it
 * (name, login id, channel addresses, what they wrote) reads as a placeholder from now on, and
 * read models drop or rewrite what they copied. Carries no personal data itself.
 */
export type UserErased = DomainEvent<'UserErased', { userId: string; erasedAt: string }>;

export type UserEvent = UserRegistered | AccessTokenIssued | AccessTokenRevoked | UserErased;

/** Claims a login id for one user; the `login-<key>` stream exists once per login. */
export type LoginClaimed = DomainEvent<
  'LoginClaimed',
  {
    loginId: string;
    userId: string;
    /**
     * A keyed hash of the create that claimed it (who asked, every field asked for): the same
     * request retried after a crash finishes that user instead of finding the login taken.
     * Absent in older claims and in the bootstrap admin's.
     */
    request?: string;
  }
>;

/**
 * Records which key store holds the keys of the log's sealed values (its id, no key), so that
 * a process started on a lost or replaced key store refuses to run.
 */
export type KeyStoreBound = DomainEvent<'KeyStoreBound', { keyStoreId: string }>;
