import { ScratchSchemas } from './scratchSchemas';
import { PG_TEST_URL } from './testing/testSchema';

describe('ScratchSchemas', () => {
  let schemas: ScratchSchemas;

  beforeEach(async () => {
    schemas = await ScratchSchemas.connect(PG_TEST_URL);
  });
  afterEach(() => schemas.end());

  const exists = async (schema: string) =>
    (await schemas.admin.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]))
      .rowCount === 1;

  it('names schemas after the prefix and this process, never twice the same', () => {
    const first = schemas.name('scratch_test');
    const second = schemas.name('scratch_test');

    expect(first).toMatch(new RegExp(`^scratch_test_${process.pid}_[0-9a-f]{8}$`));
    expect(second).not.toBe(first);
  });

  it('drops each schema with what it holds, and ignores one that is not there', async () => {
    const [full, other, absent] = ['a', 'b', 'c'].map((p) => schemas.name(`scratch_${p}`));
    for (const schema of [full, other]) await schemas.admin.query(`CREATE SCHEMA "${schema}"`);
    await schemas.admin.query(`CREATE TABLE "${full}".t (x int)`);

    await schemas.drop(full!, other!, absent!);
    expect([await exists(full!), await exists(other!)]).toEqual([false, false]);
  });

  it('fails, naming the server, when it cannot connect', async () => {
    const url = 'postgres://postgres@127.0.0.1:1/test';

    await expect(ScratchSchemas.connect(url)).rejects.toThrow(
      `PostgreSQL at ${url} is unreachable`,
    );
  });
});
