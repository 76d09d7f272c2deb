import { at, registered, user } from '../testing/userFixtures';
import {
  issueAccessToken,
  loginKeyOf,
  registerUser,
  revokeAccessToken,
  sortableNameOf,
  type UserState,
} from './user';

describe('User', () => {
  it('registers a new user with a sortable name', () => {
    user
      .given()
      .when((s) =>
        registerUser(s, {
          userId: '7',
          name: 'Jane Doe',
          shortName: 'Jane',
          loginId: ' jane@example.com ',
          siteAdmin: false,
          createdAt: at,
        }),
      )
      .then([registered]);
  });

  it('falls back to the login id for the name and the name for the short name', () => {
    user
      .given()
      .when((s) =>
        registerUser(s, { userId: '8', loginId: 'solo', siteAdmin: true, createdAt: at }),
      )
      .then([
        {
          type: 'UserRegistered',
          data: {
            userId: '8',
            name: 'solo',
            shortName: 'solo',
            sortableName: 'solo',
            loginId: 'solo',
            siteAdmin: true,
            createdAt: at,
          },
        },
      ]);
  });

  it('refuses a blank login id', () => {
    user
      .given()
      .when((s) => registerUser(s, { userId: '9', loginId: '  ', siteAdmin: false, createdAt: at }))
      .thenThrows({ kind: 'invalid', attribute: 'unique_id', message: 'blank' });
  });

  it('trims the name and short name it is given', () => {
    user
      .given()
      .when((s) =>
        registerUser(s, {
          userId: '7',
          name: ' Jane Doe ',
          shortName: ' Jane ',
          loginId: 'jane@example.com',
          siteAdmin: false,
          createdAt: at,
        }),
      )
      .then([registered]);
  });

  it('takes a login id of 100 characters and names of 255, and refuses one more', () => {
    const register =
      (over: { loginId?: string; name?: string; shortName?: string }) => (s: UserState | null) =>
        registerUser(s, { userId: '9', loginId: 'x', siteAdmin: false, createdAt: at, ...over });
    const [accepted] = register({
      loginId: 'l'.repeat(100),
      name: 'n'.repeat(255),
      shortName: 's'.repeat(255),
    })(null);
    expect(accepted!.data).toMatchObject({
      loginId: 'l'.repeat(100),
      name: 'n'.repeat(255),
      shortName: 's'.repeat(255),
    });
    user
      .given()
      .when(register({ loginId: 'l'.repeat(101) }))
      .thenThrows({ kind: 'invalid', attribute: 'unique_id', message: 'too_long' });
    user
      .given()
      .when(register({ name: 'n'.repeat(256) }))
      .thenThrows({ kind: 'invalid', attribute: 'name', message: 'too_long' });
    user
      .given()
      .when(register({ name: 'Jane', shortName: 's'.repeat(256) }))
      .thenThrows({ kind: 'invalid', attribute: 'short_name', message: 'too_long' });
  });

  it('cannot register the same user twice', () => {
    user
      .given(registered)
      .when((s) => registerUser(s, { userId: '7', loginId: 'y', siteAdmin: false, createdAt: at }))
      .thenThrows({
        kind: 'conflict',
        attribute: 'user',
        message: 'user already exists',
        type: 'taken',
      });
  });

  it('issues an access token to an existing user, once per token id', () => {
    const cmd = { tokenId: 't1', tokenHash: 'h', hint: 'abcd', createdAt: at };
    const issued = {
      type: 'AccessTokenIssued' as const,
      data: {
        userId: '7',
        tokenId: 't1',
        tokenHash: 'h',
        hint: 'abcd',
        purpose: null,
        createdAt: at,
        expiresAt: null,
      },
    };
    user
      .given(registered)
      .when((s) => issueAccessToken(s, cmd))
      .then([issued]);
    user
      .given(registered, issued)
      .when((s) => issueAccessToken(s, cmd))
      .then([]);
  });

  it('cannot issue a token to a user that does not exist', () => {
    user
      .given()
      .when((s) => issueAccessToken(s, { tokenId: 't', tokenHash: 'h', hint: 'x', createdAt: at }))
      .thenThrows({
        kind: 'not_found',
        attribute: 'user',
        message: 'The specified resource does not exist.',
      });
  });

  it("keeps a token's purpose of up to 255 characters, and its expiry", () => {
    const cmd = { tokenId: 't1', tokenHash: 'h', hint: 'abcd', createdAt: at };
    const purpose = 'p'.repeat(255);
    user
      .given(registered)
      .when((s) => issueAccessToken(s, { ...cmd, purpose, expiresAt: '2027-01-01T00:00:00.000Z' }))
      .then([
        {
          type: 'AccessTokenIssued',
          data: { userId: '7', ...cmd, purpose, expiresAt: '2027-01-01T00:00:00.000Z' },
        },
      ]);
    user
      .given(registered)
      .when((s) => issueAccessToken(s, { ...cmd, purpose: `${purpose}p` }))
      .thenThrows({ kind: 'invalid', attribute: 'purpose', message: 'too_long' });
  });

  it('revokes a live token once; unknown and revoked tokens are not found', () => {
    const tokenNotFound = {
      kind: 'not_found',
      attribute: 'token',
      message: 'The specified resource does not exist.',
    } as const;
    const issued = {
      type: 'AccessTokenIssued' as const,
      data: {
        userId: '7',
        tokenId: 't1',
        tokenHash: 'h',
        hint: 'abcd',
        purpose: null,
        createdAt: at,
        expiresAt: null,
      },
    };
    const revoked = {
      type: 'AccessTokenRevoked' as const,
      data: { userId: '7', tokenId: 't1', revokedAt: at },
    };
    user
      .given(registered, issued)
      .when((s) => revokeAccessToken(s, { tokenId: 't1', revokedAt: at }))
      .then([revoked]);
    user
      .given(registered, issued, revoked)
      .when((s) => revokeAccessToken(s, { tokenId: 't1', revokedAt: at }))
      .thenThrows(tokenNotFound);
    user
      .given(registered)
      .when((s) => revokeAccessToken(s, { tokenId: 'nope', revokedAt: at }))
      .thenThrows(tokenNotFound);
  });

  it('derives names and login keys', () => {
    expect(sortableNameOf('Mary Ann Smith')).toBe('Smith, Mary Ann');
    expect(sortableNameOf(' Mary  Ann\tSmith ')).toBe('Smith, Mary Ann');
    expect(sortableNameOf('Cher')).toBe('Cher');
    expect(sortableNameOf(' Cher ')).toBe('Cher');
    expect(loginKeyOf(' Jane@Example.COM ')).toBe('jane@example.com');
  });
});
