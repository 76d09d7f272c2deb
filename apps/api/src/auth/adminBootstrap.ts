import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import {
  evolveUser,
  issueAccessToken,
  registerUser,
  streams,
  type LoginClaimed,
  type UserState,
} from '@missive/domain';
import { WrongExpectedVersionError, type EventStore } from '@missive/event-store';
import type { AppConfig } from '../config/appConfig';
import { systemContext } from '@missive/command-handling';
import { execute, toEventData } from '@missive/command-handling';
import { StreamKeys } from '../infrastructure/streamKeys';
import { APP_CONFIG, EVENT_STORE } from '../infrastructure/tokens';
import { hashToken } from './tokenHash';

export const ADMIN_USER_ID = '1';
export const ADMIN_LOGIN_ID = 'admin';

/**
 * With ADMIN_TOKEN set, makes sure site admin user 1 exists and that token is one of its
 * tokens. Idempotent across restarts and across API instances starting together: the token
 * id derives from the token's hash, and every write expects the revision it read.
 */
@Injectable()
export class AdminBootstrap implements OnApplicationBootstrap {
  private readonly logger = new Logger('AdminBootstrap');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly streamKeys: StreamKeys,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const token = this.config.ADMIN_TOKEN;
    if (!token) return;
    const ctx = systemContext('admin-bootstrap');
    const now = new Date().toISOString();
    const claim: LoginClaimed = {
      type: 'LoginClaimed',
      data: { loginId: ADMIN_LOGIN_ID, userId: ADMIN_USER_ID },
    };
    try {
      await this.store.append(
        this.streamKeys.login(ADMIN_LOGIN_ID),
        [toEventData(claim, ctx, new Date())],
        {
          expectedRevision: 'no_stream',
        },
      );
    } catch (err) {
      if (!(err instanceof WrongExpectedVersionError)) throw err;
    }
    const tokenHash = hashToken(token);
    await execute(
      this.store,
      streams.user(ADMIN_USER_ID),
      evolveUser,
      (state: UserState | null) => {
        const registered = state
          ? []
          : registerUser(null, {
              userId: ADMIN_USER_ID,
              name: 'Site Admin',
              loginId: ADMIN_LOGIN_ID,
              siteAdmin: true,
              createdAt: now,
            });
        const current = registered.reduce<UserState | null>(evolveUser, state);
        const issued = issueAccessToken(current, {
          tokenId: String(Number.parseInt(tokenHash.slice(0, 12), 16)),
          tokenHash,
          hint: token.slice(-4),
          purpose: 'ADMIN_TOKEN',
          createdAt: now,
        });
        return [...registered, ...issued];
      },
      ctx,
    );
    this.logger.log('site admin (user 1) is ready for ADMIN_TOKEN');
  }
}
