import { at, registered, user } from '../testing/userFixtures';
import { eraseUser, issueAccessToken } from './user';
import type { UserErased } from './userEvents';

const erased: UserErased = { type: 'UserErased', data: { userId: '7', erasedAt: at } };

describe('User erasure', () => {
  it('erases a registered user once', () => {
    user
      .given(registered)
      .when((s) => eraseUser(s, { erasedAt: at }))
      .then([erased]);
    user
      .given(registered, erased)
      .when((s) => eraseUser(s, { erasedAt: at }))
      .then([]);
  });

  it('refuses an unknown user', () => {
    user
      .given()
      .when((s) => eraseUser(s, { erasedAt: at }))
      .thenThrows({
        kind: 'not_found',
        attribute: 'user',
        message: 'The specified resource does not exist.',
      });
  });

  it('issues no token to an erased user', () => {
    user
      .given(registered, erased)
      .when((s) =>
        issueAccessToken(s, { tokenId: '1', tokenHash: 'h', hint: 'abcd', createdAt: at }),
      )
      .thenThrows({
        kind: 'not_found',
        attribute: 'user',
        message: 'The specified resource does not exist.',
      });
  });
});
