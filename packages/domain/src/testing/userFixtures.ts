import { evolveUser, type UserState } from '../users/user';
import type { UserEvent, UserRegistered } from '../users/userEvents';
import { spec } from './givenWhenThen';

/** Jane Doe, user 7, whom the user specs register, change and erase. */
export const user = spec<UserState, UserEvent>(evolveUser);
export const at = '2026-01-01T00:00:00.000Z';

export const registered: UserRegistered = {
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
