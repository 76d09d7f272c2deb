import { ERASED_PLACEHOLDERS, KeyStore } from '@missive/personal-data';
import { createDatabase } from '@missive/projections';
import { randomBytes, randomInt } from 'node:crypto';
import { join } from 'node:path';
import { dispatchThroughSandbox } from '../comms/testing/dispatchThroughSandbox';
import { COMMS_ENV, CommsClient, eventually } from '../comms/testing/commsClient';
import { TestApp } from '../testing/testApp';
import { filesHolding, postgresReadModels } from './testing/storeFiles';

/** Long enough to look at the message before it ends, short enough to wait for. */
const RETENTION_SECONDS = 4;

describe.each(['sqlite', 'postgres'] as const)(
  'Comms retention on disk, read models on %s',
  (dialect) => {
    let app: TestApp;
    let pg: Awaited<ReturnType<typeof postgresReadModels>> | undefined;
    beforeEach(async () => {
      pg = dialect === 'postgres' ? await postgresReadModels('comms_retention') : undefined;
      app = await TestApp.start({
        ...COMMS_ENV,
        COMMS_RETENTION_SECONDS: String(RETENTION_SECONDS),
        ...pg?.env,
      });
    });
    afterEach(async () => {
      await app.stop();
      await pg?.drop();
    });

    it('deletes the keys and rows of a message once its retention ends: its text, address and variables are nowhere on disk', async () => {
      const comms = new CommsClient(app);
      const marker = randomBytes(8).toString('hex');
      const text = `Text${marker}`;
      const variable = `Var${marker}`;
      const address = `+1415${randomInt(1_000_000, 10_000_000)}`;
      // With an Idempotency-Key: the record of the answer is on disk too.
      const sent = await comms.request(
        'POST',
        '/v1/Messages',
        {
          to: [{ address, channel: 'PHONE', variables: { name: variable } }],
          content: { text: `${text} {{name}}` },
        },
        { 'idempotency-key': marker },
      );
      expect(sent.status).toBe(202);
      const operationId: string = sent.body.operationId;
      const listed = await comms.get(`/v1/Messages?operationId=${operationId}`);
      const [message] = listed.body.messages;
      const fetched = await comms.get(`/v1/Messages/${message.id}`);
      expect(fetched.body.content.text).toBe(`${text} ${variable}`);
      await dispatchThroughSandbox(app.store, message.id);
      const ulid = (id: string) => id.slice(id.lastIndexOf('_') + 1);
      const subjects = [`outbound:${ulid(message.id)}`, `operation:${ulid(operationId)}`];
      const keys = new KeyStore(pg?.env.READ_MODEL_URL ?? `sqlite:${join(app.dataDir, 'keys.db')}`);
      const rows = pg && createDatabase(pg.env.READ_MODEL_URL);
      try {
        const held = await keys.keysFor(subjects, false);
        expect([...held.keys()].sort()).toEqual([...subjects].sort());
        const encodedKeys = [...held.values()].map((key) => key.toString('base64'));

        // Within retention the read models hold copies (on SQLite, in these files); the log
        // holds only ciphertext, the key store only keys.
        const values = [text, variable, address];
        for (const value of values) {
          const holding = filesHolding(app.dataDir, value);
          const readModelFiles = holding.filter((file) => file.startsWith('read-models.db'));
          expect([value, holding]).toEqual([value, readModelFiles]);
          expect([value, holding.length > 0]).toEqual([value, dialect === 'sqlite']);
        }
        if (dialect === 'sqlite') {
          for (const key of encodedKeys) {
            expect(filesHolding(app.dataDir, key).some((f) => f.startsWith('keys.db'))).toBe(true);
          }
        }

        // The purge runs as often as the retention: wait for its whole work, keys first.
        const purged = async () =>
          (await keys.keysFor(subjects, false)).size === 0 &&
          values.every((value) => filesHolding(app.dataDir, value).length === 0) &&
          (!rows ||
            (
              await rows
                .selectFrom('outbound_messages')
                .select('outbound_id')
                .where('outbound_id', '=', ulid(message.id))
                .execute()
            ).length === 0);
        expect(await eventually(purged, Boolean, 20_000)).toBe(true);

        for (const value of [...values, ...encodedKeys]) {
          expect([value, filesHolding(app.dataDir, value)]).toEqual([value, []]);
        }
        expect((await comms.get(`/v1/Messages/${message.id}`)).status).toBe(404);
        expect((await comms.get(`/v1/Messages/Operations/${operationId}`)).status).toBe(404);
        if (rows) {
          // PostgreSQL: the rows are gone (their dead versions wait for VACUUM, docs/erasure.md)
          // and the key is a tombstone.
          for (const [table, id] of [
            ['comms_messages', ulid(message.id)],
            ['comms_operations', ulid(operationId)],
          ] as const) {
            const left = await rows.selectFrom(table).select('id').where('id', '=', id).execute();
            expect([table, left]).toEqual([table, []]);
          }
          const tombstones = await rows
            .selectFrom('personal_data_keys')
            .select(['subject', 'data_key'])
            .where('subject', 'in', subjects)
            .execute();
          expect(tombstones).toHaveLength(2);
          expect(tombstones.every((row) => row.data_key === null)).toBe(true);
        }

        // The log keeps the events, which now read as placeholders.
        const events = (await app.allEvents()).filter((e) =>
          [e.data, (e.data as { fanOut?: unknown }).fanOut].some(Boolean),
        );
        const created = events.find(
          (e) =>
            e.type === 'OutboundMessageCreated' &&
            (e.data as { outboundId: string }).outboundId === ulid(message.id),
        );
        expect(created!.data).toMatchObject({
          to: ERASED_PLACEHOLDERS.address,
          body: ERASED_PLACEHOLDERS.text,
        });
        const operation = events.find((e) => e.type === 'MessageOperationCreated');
        expect(operation!.data).toMatchObject({
          fanOut: { text: ERASED_PLACEHOLDERS.text, messages: [] },
        });
        const everything = JSON.stringify(events.map((e) => e.data));
        for (const value of values) expect(everything.includes(value)).toBe(false);
      } finally {
        await keys.close();
        await rows?.destroy();
      }
    });
  },
);
