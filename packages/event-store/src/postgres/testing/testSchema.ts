import { ScratchSchemas } from '../scratchSchemas';

export const PG_TEST_URL = process.env.PG_TEST_URL ?? 'postgres://127.0.0.1:5432/test';

/** A schema name of its own for one test run; `drop()` removes it and everything in it. */
export interface TestSchema {
  readonly url: string;
  readonly schema: string;
  drop(): Promise<void>;
}

export async function createTestSchemaName(prefix = 'es_test'): Promise<TestSchema> {
  // Fail, never skip: CI starts PostgreSQL, so an unreachable server is a broken setup.
  const schemas = await ScratchSchemas.connect(PG_TEST_URL).catch((error: unknown) => {
    throw new Error(`${(error as Error).message} (set PG_TEST_URL)`, { cause: error });
  });
  const schema = schemas.name(prefix);
  return {
    url: PG_TEST_URL,
    schema,
    async drop() {
      try {
        await schemas.drop(schema);
      } finally {
        await schemas.end();
      }
    },
  };
}
