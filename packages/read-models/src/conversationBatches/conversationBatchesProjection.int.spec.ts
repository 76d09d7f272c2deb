import type { ConversationBatchEvent } from '@missive/domain';
import { SqliteEventStore } from '@missive/event-store';
import { ProjectionRunner } from '@missive/projections';
import { randomUUID } from 'node:crypto';
import { openTestDatabase, type TestDatabase } from '../../../projections/src/testing/testDatabase';
import {
  ConversationBatchQueries,
  conversationBatchesProjection,
} from './conversationBatchesProjection';

const at = '2026-01-01T00:00:00.000Z';

describe.each(['sqlite', 'postgres'] as const)(
  'conversation batches read model on %s',
  (dialect) => {
    let store: SqliteEventStore;
    let testDb: TestDatabase;
    let runner: ProjectionRunner;

    beforeEach(async () => {
      store = new SqliteEventStore({ path: ':memory:' });
      testDb = await openTestDatabase(dialect);
      runner = new ProjectionRunner({
        store,
        db: testDb.db,
        projection: conversationBatchesProjection,
      });
    });
    afterEach(async () => {
      await runner.stop();
      await testDb.cleanup();
      await store.close();
    });

    it('lists a user’s sending batches by id until they finish', async () => {
      const started = (batchId: string, userId: string): ConversationBatchEvent => ({
        type: 'ConversationBatchStarted',
        data: {
          batchId,
          userId,
          recipientIds: ['5', '6', '7'],
          group: false,
          subject: null,
          body: `batch ${batchId}`,
          contextCode: 'course_3',
          mediaComment: null,
          tags: ['course_3'],
          createdAt: at,
        },
      });
      const append = (stream: string, e: ConversationBatchEvent) =>
        store.append(stream, [{ id: randomUUID(), type: e.type, data: e.data }]);
      await append('conversationbatch-12', started('12', '1'));
      await append('conversationbatch-11', started('11', '1'));
      await append('conversationbatch-13', started('13', '2'));
      await runner.catchUp();
      const queries = new ConversationBatchQueries(testDb.db);
      const page = await queries.unfinished('1', { limit: 10, offset: 0 });
      expect(page.total).toBe(2);
      expect(page.items.map((b) => [b.id, b.workflowState, b.recipientCount, b.tags])).toEqual([
        ['11', 'sending', 3, ['course_3']],
        ['12', 'sending', 3, ['course_3']],
      ]);
      await append('conversationbatch-11', {
        type: 'ConversationBatchFinished',
        data: { batchId: '11', workflowState: 'sent', conversationIds: ['90', '91', '92'], at },
      });
      await runner.catchUp();
      expect(
        (await queries.unfinished('1', { limit: 10, offset: 0 })).items.map((b) => b.id),
      ).toEqual(['12']);
      expect(await queries.state('11')).toBe('sent');
    });

    it('keeps a batch sending through its runner’s claims and steps, for the job runner too', async () => {
      const append = (e: ConversationBatchEvent) =>
        store.append('conversationbatch-21', [{ id: randomUUID(), type: e.type, data: e.data }]);
      await append({
        type: 'ConversationBatchStarted',
        data: {
          batchId: '21',
          userId: '1',
          recipientIds: ['5'],
          group: true,
          subject: null,
          body: 'hi',
          contextCode: null,
          mediaComment: null,
          tags: [],
          createdAt: at,
        },
      });
      await append({
        type: 'ConversationBatchClaimed',
        data: { batchId: '21', runner: 'a', attempt: 1, leaseUntil: at, at },
      });
      await append({
        type: 'ConversationBatchStepPlanned',
        data: { batchId: '21', offset: 0, ids: [{ conversationId: '30', messageId: '31' }] },
      });
      await append({
        type: 'ConversationBatchAdvanced',
        data: { batchId: '21', offset: 0, conversationIds: ['30'], at },
      });
      await runner.catchUp();
      const queries = new ConversationBatchQueries(testDb.db);
      expect(await queries.state('21')).toBe('sending');
      expect(await queries.unfinishedIds(10)).toEqual(['21']);
      await append({
        type: 'ConversationBatchFinished',
        data: { batchId: '21', workflowState: 'sent', conversationIds: ['30'], at },
      });
      await runner.catchUp();
      expect(await queries.unfinishedIds(10)).toEqual([]);
    });
  },
);
