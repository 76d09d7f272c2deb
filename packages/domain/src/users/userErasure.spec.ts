import { spec } from '../testing/givenWhenThen';
import { eraseUser, evolveUser, issueAccessToken, type UserState } from './user';
import type { UserErased, UserEvent, UserRegistered } from './userEvents';

const user = spec<UserState, UserEvent>(evolveUser);
const at = '2026-01-01T00:00:00.000Z';
const registered: UserRegistered = {
  type: 'UserRegistered',
  data: {
    userId: '7',
    name: 'Jane Doe',
    shortName: 'Jane',
    sortableName: 'Doe, Jane',
    loginId: 'jane@example.com',
    siteAdmin: false,
    createdAt: at,
  },
};
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
