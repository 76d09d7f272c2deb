import { describeEventStoreContract } from '../testing/eventStoreContract';
import { PostgresEventStore } from './postgresEventStore';
import { type TestSchema, createTestSchemaName } from './testing/testSchema';

let test: TestSchema;

beforeAll(async () => {
  test = await createTestSchemaName();
});

afterAll(async () => {
  await test?.drop();
});

describeEventStoreContract(
  'PostgreSQL',
  () =>
    new PostgresEventStore({ connectionString: test.url, schema: test.schema, pollIntervalMs: 50 }),
);
