import { ProjectionRunner, createDatabase } from '@missive/projections';
import { conversationsProjection, type SchemalessDb } from '@missive/read-models';
import { sql } from 'kysely';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { READ_DB } from '../infrastructure/tokens';
import { TestApp } from '../testing/testApp';

const TABLES = [
  'conversations',
  'conversation_messages',
  'message_copies',
  'conversation_participants',
  'conversation_participant_tags',
];

async function snapshot(db: SchemalessDb): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const table of TABLES) {
    const rows = await sql<Record<string, unknown>>`SELECT * FROM ${sql.table(table)}`.execute(db);
    out[table] = rows.rows.map((r) => JSON.stringify(r, Object.keys(r).sort())).sort();
  }
  return out;
}

describe('conversations read model rebuild', () => {
  it('rebuilt from the events equals the live projection after traffic over HTTP', async () => {
    const app = await TestApp.start();
    const dir = mkdtempSync(join(tmpdir(), 'rebuild-'));
    const fresh = createDatabase(`sqlite:${join(dir, 'rebuilt.db')}`);
    try {
      const [a, b, c] = [
        await app.createUser('Ann A', 'a'),
        await app.createUser('Bo B', 'b'),
        await app.createUser('Cy C', 'c'),
      ];
      await app.courseWith(a.id, b.id, c.id);
      const group = await app.request('POST', '/api/v1/conversations', {
        token: a.token,
        json: {
          recipients: [b.id, c.id],
          body: 'hello all',
          group_conversation: true,
          subject: 'G',
        },
      });
      const id = group.body[0].id;
      await app.request('POST', '/api/v1/conversations', {
        token: b.token,
        form: { 'recipients[]': String(a.id), body: 'dm' },
      });
      await app.request('POST', `/api/v1/conversations/${id}/add_message`, {
        token: b.token,
        form: { body: 'reply' },
      });
      await app.request('PUT', `/api/v1/conversations/${id}`, {
        token: c.token,
        form: { 'conversation[starred]': 'true', 'conversation[subscribed]': 'false' },
      });
      await app.request('POST', `/api/v1/conversations/${id}/add_message`, {
        token: a.token,
        form: { body: 'more' },
      });
      await app.request('POST', `/api/v1/conversations/${id}/remove_messages`, {
        token: b.token,
        form: { 'remove[]': String(group.body[0].messages[0].id) },
      });
      await app.request('DELETE', `/api/v1/conversations/${id}`, { token: c.token });

      const runner = new ProjectionRunner({
        store: app.store,
        db: fresh,
        projection: conversationsProjection,
      });
      await runner.catchUp();
      await runner.stop();
      const live = await snapshot(app.running.app.get<SchemalessDb>(READ_DB));
      const rebuilt = await snapshot(fresh);
      expect(live['conversation_messages']!.length).toBeGreaterThan(0);
      expect(rebuilt).toEqual(live);
    } finally {
      await fresh.destroy();
      rmSync(dir, { recursive: true, force: true });
      await app.stop();
    }
  });
});
