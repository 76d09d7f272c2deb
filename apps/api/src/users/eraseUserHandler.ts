import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import {
  IdGenerator,
  eraseUser,
  evolveProgress,
  evolveUser,
  recordFinishedJob,
  streams,
} from '@missive/domain';
import type { EventStore, Position } from '@missive/event-store';
import { execute, type CommandContext } from '@missive/command-handling';
import { truncateSqliteWal } from '@missive/projections';
import { ConversationQueries, type SchemalessDb } from '@missive/read-models';
import type { AppConfig } from '../config/appConfig';
import { CanvasError } from '../http/canvasError';
import { KeyEraser } from '../infrastructure/keyEraser';
import { ReadYourWrites } from '../infrastructure/readYourWrites';
import { APP_CONFIG, EVENT_STORE, READ_DB } from '../infrastructure/tokens';

export const USER_ERASURE_TAG = 'user_erasure';

/** The read models that copy a user's personal data and forget it on `UserErased`. */
const ERASING_READ_MODELS = [
  'users',
  'channels',
  'conversations',
  'conversation-batches',
  'outbound-messages',
];

export class EraseUserCommand {
  constructor(
    readonly userId: string,
    readonly ctx: CommandContext,
  ) {}
}

/**
 * POST /api/v1/users/:user_id/erasure. The key goes first: once it is gone, every event of the
 * user reads as placeholders, wherever it is read. `UserErased` then tells the read models
 * to purge their copies; the answer waits for them (and for the SQLite WAL to be emptied),
 * so that a completed Progress means the data is gone. Retrying does the missing steps only:
 * a key already erased stays erased and `UserErased` is appended once.
 */
@CommandHandler(EraseUserCommand)
export class EraseUserHandler implements ICommandHandler<EraseUserCommand, string> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(READ_DB) private readonly db: SchemalessDb,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly keys: KeyEraser,
    private readonly ids: IdGenerator,
    private readonly readYourWrites: ReadYourWrites,
    private readonly conversations: ConversationQueries,
  ) {}

  async execute({ userId, ctx }: EraseUserCommand): Promise<string> {
    const stream = streams.user(userId);
    const at = new Date().toISOString();
    await this.keys.erase(`user:${userId}`);
    const { result } = await execute(
      this.store,
      stream,
      evolveUser,
      (s) => eraseUser(s, { erasedAt: at }),
      ctx,
    );
    const erased = result?.position ?? (await this.erasedAt(stream));
    const progressId = this.ids.next();
    const done = await execute(
      this.store,
      streams.progress(progressId),
      evolveProgress,
      (s) =>
        recordFinishedJob(s, {
          progressId,
          userId,
          tag: USER_ERASURE_TAG,
          message: `user ${userId} erased`,
          at,
        }),
      ctx,
    );
    const readModels = this.config.RUN_NOTIFIER
      ? [...ERASING_READ_MODELS, 'notifications']
      : ERASING_READ_MODELS;
    await Promise.all(readModels.map((name) => this.readYourWrites.waitFor(name, erased)));
    await this.readYourWrites.waitFor('progress', done.result?.position);
    this.conversations.forgetUserName(userId);
    // The purged rows' old pages still sit in the SQLite WAL until it is checkpointed and cut.
    // The data is erased from the rows; if readers kept the WAL, a retry finishes the job.
    if (!(await truncateSqliteWal(this.db))) throw CanvasError.generic(503, 'service_unavailable');
    return progressId;
  }

  /** Where an earlier attempt recorded the erasure: what a retry waits for. */
  private async erasedAt(stream: string): Promise<Position | null> {
    let position: Position | null = null;
    for await (const event of this.store.readStream(stream)) {
      if (event.type === 'UserErased') position = event.position;
    }
    return position;
  }
}
