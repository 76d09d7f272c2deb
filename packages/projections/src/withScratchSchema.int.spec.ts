import { sql } from 'kysely';
import { Client } from 'pg';
import { PG_TEST_URL } from './testing/testDatabase';
import { withScratchSchema } from './withScratchSchema';

async function schemaExists(schema: string): Promise<boolean> {
  const client = new Client({ connectionString: PG_TEST_URL });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [
      schema,
    ]);
    return rowCount === 1;
  } finally {
    await client.end();
  }
}

describe('withScratchSchema', () => {
  it('gives a database whose tables land in a new schema, dropped afterwards', async () => {
    let schema = '';
    const answer = await withScratchSchema(PG_TEST_URL, 'scratch_test', async (db) => {
      await sql`CREATE TABLE t (x int)`.execute(db);
      const { rows } = await sql<{
        schema: string;
      }>`SELECT table_schema AS schema FROM information_schema.tables WHERE table_name = 't' AND table_schema LIKE 'scratch_test_%'`.execute(
        db,
      );
      schema = rows[0]!.schema;
      expect(await schemaExists(schema)).toBe(true);
      return 'answer';
    });

    expect(answer).toBe('answer');
    expect(schema).toMatch(new RegExp(`^scratch_test_${process.pid}_`));
    expect(await schemaExists(schema)).toBe(false);
  });

  it('drops the schema when the run fails, and rethrows', async () => {
    let schema = '';
    const failure = new Error('bench failed');
    const run = withScratchSchema(PG_TEST_URL, 'scratch_test', async (db) => {
      const { rows } = await sql<{ schema: string }>`SELECT current_schema() AS schema`.execute(db);
      schema = rows[0]!.schema;
      throw failure;
    });

    await expect(run).rejects.toBe(failure);
    expect(schema).toMatch(/^scratch_test_/);
    expect(await schemaExists(schema)).toBe(false);
  });
});
