import { createDatabase } from '@missive/projections';
import type { SchemalessDb } from '@missive/read-models';
import type { AppConfig } from '../config/appConfig';
import { CanvasError } from '../http/canvasError';
import { CommittedPositions } from './committedPositions';
import { ReadYourWrites } from './readYourWrites';

const position = { commit: 42n, prepare: 42n };

describe('ReadYourWrites', () => {
  // No checkpoint table: only a reported commit can end the wait before the timeout.
  let db: SchemalessDb;
  beforeEach(() => {
    db = createDatabase('sqlite::memory:') as SchemalessDb;
  });
  afterEach(() => db.destroy());

  const waiting = (timeoutMs: number, committed: CommittedPositions, woken: string[]) =>
    new ReadYourWrites(
      db,
      { READ_YOUR_WRITES_TIMEOUT_MS: timeoutMs } as AppConfig,
      (projection) => woken.push(projection),
      committed,
    );

  it('wakes the projection and answers when its commit is reported', async () => {
    const committed = new CommittedPositions();
    const woken: string[] = [];
    const wait = waiting(60_000, committed, woken).waitFor('conversations', position);
    committed.record('conversations', position);
    await expect(wait).resolves.toBeUndefined();
    expect(woken).toEqual(['conversations']);
  });

  it('answers 503 when neither a report nor the checkpoint shows the write in time', async () => {
    const wait = waiting(20, new CommittedPositions(), []).waitFor('users', position);
    await expect(wait).rejects.toBeInstanceOf(CanvasError);
  });
});
