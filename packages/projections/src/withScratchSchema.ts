import { ScratchSchemas } from '@missive/event-store';
import type { Kysely } from 'kysely';
import { createDatabase } from './database';

/**
 * Runs `use` on a read-model database in a schema of its own on the PostgreSQL server at
 * `url`, so that it starts from no tables and leaves none behind: the schema is dropped
 * afterwards, whether `use` succeeded or not.
 */
export async function withScratchSchema<T>(
  url: string,
  prefix: string,
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  use: (db: Kysely<any>) => Promise<T>,
): Promise<T> {
  const schemas = await ScratchSchemas.connect(url);
  const schema = schemas.name(prefix);
  try {
    await schemas.admin.query(`CREATE SCHEMA "${schema}"`);
    const db = createDatabase(url, { schema, poolSize: 2 });
    try {
      return await use(db);
    } finally {
      await db.destroy();
    }
  } finally {
    try {
      await schemas.drop(schema);
    } finally {
      await schemas.end();
    }
  }
}
