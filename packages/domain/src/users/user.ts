import { grownSet } from '../shared/grow';
import { DomainError } from '../shared/domainError';
import type {
  AccessTokenIssued,
  AccessTokenRevoked,
  UserErased,
  UserEvent,
  UserRegistered,
} from './userEvents';

export interface UserState {
  readonly userId: string;
  readonly name: string;
  readonly shortName: string;
  readonly loginId: string;
  readonly siteAdmin: boolean;
  /** Every token id ever issued (ids are never reused), and which of them are revoked. */
  readonly tokenIds: ReadonlySet<string>;
  readonly revokedTokenIds: ReadonlySet<string>;
  /** Erased users keep their id (conversations still name it) and nothing else. */
  readonly erased: boolean;
}

export const MAX_NAME_LENGTH = 255;
export const MAX_LOGIN_ID_LENGTH = 100;

export function evolveUser(state: UserState | null, event: UserEvent): UserState | null {
  switch (event.type) {
    case 'UserRegistered':
      return {
        userId: event.data.userId,
        name: event.data.name,
        shortName: event.data.shortName,
        loginId: event.data.loginId,
        siteAdmin: event.data.siteAdmin,
        tokenIds: new Set(),
        revokedTokenIds: new Set(),
        erased: false,
      };
    case 'AccessTokenIssued':
      if (!state) return state;
      return { ...state, tokenIds: grownSet(state.tokenIds, event.data.tokenId) };
    case 'AccessTokenRevoked':
      if (!state) return state;
      return { ...state, revokedTokenIds: grownSet(state.revokedTokenIds, event.data.tokenId) };
    case 'UserErased':
      if (!state) return state;
      return { ...state, erased: true };
  }
}

/** Erases a user's personal data; erasing again changes nothing. */
export function eraseUser(state: UserState | null, cmd: { erasedAt: string }): UserErased[] {
  if (!state) throw new DomainError('not_found', 'user', 'The specified resource does not exist.');
  if (state.erased) return [];
  return [{ type: 'UserErased', data: { userId: state.userId, erasedAt: cmd.erasedAt } }];
}

export interface RegisterUser {
  userId: string;
  name?: string | null;
  shortName?: string | null;
  loginId: string;
  siteAdmin: boolean;
  createdAt: string;
}

/** Canvas's "Last, First" from a full name: the last word moves to the front. */
export function sortableNameOf(name: string): string {
  const parts = name.trim().split(/\s+/);
  if (parts.length < 2) return name.trim();
  const last = parts.pop()!;
  return `${last}, ${parts.join(' ')}`;
}

export function registerUser(state: UserState | null, cmd: RegisterUser): UserRegistered[] {
  if (state) throw new DomainError('conflict', 'user', 'user already exists', 'taken');
  const loginId = cmd.loginId.trim();
  if (!loginId) throw new DomainError('invalid', 'unique_id', 'blank', 'blank');
  if (loginId.length > MAX_LOGIN_ID_LENGTH) {
    throw new DomainError('invalid', 'unique_id', 'too_long', 'too_long');
  }
  // Canvas falls back to the login id when no name is given.
  const name = cmd.name?.trim() || loginId;
  if (name.length > MAX_NAME_LENGTH)
    throw new DomainError('invalid', 'name', 'too_long', 'too_long');
  const shortName = cmd.shortName?.trim() || name;
  if (shortName.length > MAX_NAME_LENGTH) {
    throw new DomainError('invalid', 'short_name', 'too_long', 'too_long');
  }
  return [
    {
      type: 'UserRegistered',
      data: {
        userId: cmd.userId,
        name,
        shortName,
        sortableName: sortableNameOf(name),
        loginId,
        siteAdmin: cmd.siteAdmin,
        createdAt: cmd.createdAt,
      },
    },
  ];
}

export interface IssueAccessToken {
  tokenId: string;
  tokenHash: string;
  hint: string;
  purpose?: string | null;
  createdAt: string;
  expiresAt?: string | null;
}

export function issueAccessToken(
  state: UserState | null,
  cmd: IssueAccessToken,
): AccessTokenIssued[] {
  if (!state || state.erased) {
    throw new DomainError('not_found', 'user', 'The specified resource does not exist.');
  }
  if (state.tokenIds.has(cmd.tokenId)) return [];
  if (cmd.purpose && cmd.purpose.length > MAX_NAME_LENGTH) {
    throw new DomainError('invalid', 'purpose', 'too_long', 'too_long');
  }
  return [
    {
      type: 'AccessTokenIssued',
      data: {
        userId: state.userId,
        tokenId: cmd.tokenId,
        tokenHash: cmd.tokenHash,
        hint: cmd.hint,
        purpose: cmd.purpose ?? null,
        createdAt: cmd.createdAt,
        expiresAt: cmd.expiresAt ?? null,
      },
    },
  ];
}

/** Revokes a live token; an unknown or already revoked token is not found, as in Canvas. */
export function revokeAccessToken(
  state: UserState | null,
  cmd: { tokenId: string; revokedAt: string },
): AccessTokenRevoked[] {
  if (!state || !state.tokenIds.has(cmd.tokenId) || state.revokedTokenIds.has(cmd.tokenId)) {
    throw new DomainError('not_found', 'token', 'The specified resource does not exist.');
  }
  return [
    {
      type: 'AccessTokenRevoked',
      data: { userId: state.userId, tokenId: cmd.tokenId, revokedAt: cmd.revokedAt },
    },
  ];
}

/** Login ids are unique case-insensitively, as Canvas pseudonyms are. */
export function loginKeyOf(loginId: string): string {
  return loginId.trim().toLowerCase();
}
