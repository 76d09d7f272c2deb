import type { ProgressEvent } from '@missive/domain';
import { SqliteEventStore } from '@missive/event-store';
import { ProjectionRunner } from '@missive/projections';
import { randomUUID } from 'node:crypto';
import { openTestDatabase, type TestDatabase } from '../../../projections/src/testing/testDatabase';
import { ProgressQueries, progressProjection } from './progressProjection';

const at = (minute: number) => new Date(Date.UTC(2026, 0, 1, 0, minute)).toISOString();

describe.each(['sqlite', 'postgres'] as const)('progress read model on %s', (dialect) => {
  let store: SqliteEventStore;
  let testDb: TestDatabase;
  let runner: ProjectionRunner;

  beforeEach(async () => {
    store = new SqliteEventStore({ path: ':memory:' });
    testDb = await openTestDatabase(dialect);
    runner = new ProjectionRunner({ store, db: testDb.db, projection: progressProjection });
  });
  afterEach(async () => {
    await runner.stop();
    await testDb.cleanup();
    await store.close();
  });

  const append = (e: ProgressEvent) =>
    store.append('progress-9', [{ id: randomUUID(), type: e.type, data: e.data }]);

  it('shows a job queued, running with its completion, then done', async () => {
    await append({
      type: 'ProgressQueued',
      data: {
        progressId: '9',
        userId: '2',
        tag: 'conversation_batch_update',
        createdAt: at(0),
        batchUpdate: { conversationIds: ['1', '2'], event: 'star' },
      },
    });
    await append({
      type: 'ProgressClaimed',
      data: { progressId: '9', runner: 'a', attempt: 1, leaseUntil: at(1), at: at(0) },
    });
    await runner.catchUp();
    const queries = new ProgressQueries(testDb.db);
    expect(await queries.find('9')).toMatchObject({ workflowState: 'queued', completion: 0 });
    expect(await queries.unfinishedIds(10)).toEqual(['9']);

    await append({
      type: 'ProgressAdvanced',
      data: {
        progressId: '9',
        offset: 0,
        count: 1,
        processed: 1,
        notParticipating: [],
        completion: 50,
        at: at(2),
      },
    });
    await runner.catchUp();
    expect(await queries.find('9')).toMatchObject({
      workflowState: 'running',
      completion: 50,
      updatedAt: at(2),
    });
    expect(await queries.unfinishedIds(10)).toEqual(['9']);

    await append({
      type: 'ProgressCompleted',
      data: { progressId: '9', workflowState: 'completed', message: 'done', at: at(3) },
    });
    await runner.catchUp();
    expect(await queries.find('9')).toMatchObject({
      workflowState: 'completed',
      completion: 100,
      message: 'done',
    });
    expect(await queries.unfinishedIds(10)).toEqual([]);
  });
});
