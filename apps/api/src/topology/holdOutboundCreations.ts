import { Client } from 'pg';

// 'TOPO': an advisory-lock key pair the product never takes (its own start with 'MISV').
const LOCK: readonly [number, number] = [0x544f504f, 1];

/** A hold on a Comms fan-out, placed in the database: see `holdOutboundCreations`. */
export interface OutboundCreationsHold {
  /** True once an append of an `OutboundMessageCreated` past the allowance waits on the hold. */
  holding(): Promise<boolean>;
  /** `OutboundMessageCreated` rows committed so far. */
  created(): Promise<number>;
  /** Lets every waiting and later append through, and closes the connection. */
  release(): Promise<void>;
}

/**
 * Lets the first `allowance` `OutboundMessageCreated` events of the PostgreSQL log through,
 * then makes the transaction appending the next one wait until `release()`: a trigger on the
 * events table takes a shared advisory lock that this connection holds exclusively. So a
 * process killed while `holding()` is true dies in the middle of its fan-out, whatever the
 * machine's speed: the kill no longer has to win a race against the fan-out.
 *
 * Every append takes the store's append lock first, so while one waits here every other
 * append (of any process) waits too: release soon after `holding()`. The trigger stays until
 * the database is dropped; after `release()` it costs one uncontended lock per row.
 */
export async function holdOutboundCreations(
  url: string,
  allowance: number,
  schema = 'event_store',
): Promise<OutboundCreationsHold> {
  const client = new Client({ connectionString: url });
  await client.connect();
  const [classId, objectId] = LOCK;
  const events = `"${schema}".events`;
  try {
    await client.query(`SELECT pg_advisory_lock(${classId}, ${objectId})`);
    await client.query(`CREATE SEQUENCE "${schema}".topology_outbound_created`);
    await client.query(`CREATE FUNCTION "${schema}".topology_hold_outbound() RETURNS trigger
      LANGUAGE plpgsql AS $fn$
      BEGIN
        -- A sequence counts every row tried, committed or not: the allowance is exact.
        IF nextval('"${schema}".topology_outbound_created') > ${allowance} THEN
          PERFORM pg_advisory_xact_lock_shared(${classId}, ${objectId});
        END IF;
        RETURN NEW;
      END
      $fn$`);
    await client.query(`CREATE TRIGGER topology_hold_outbound BEFORE INSERT ON ${events}
      FOR EACH ROW WHEN (NEW.type = 'OutboundMessageCreated')
      EXECUTE FUNCTION "${schema}".topology_hold_outbound()`);
  } catch (error) {
    await client.end();
    throw error;
  }
  let released = false;
  return {
    async holding() {
      const { rows } = await client.query(
        // pg_locks lists every database's locks: another run of this test has its own.
        `SELECT count(*)::int AS n FROM pg_locks
         WHERE locktype = 'advisory' AND classid = $1 AND objid = $2 AND NOT granted
           AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
        [classId, objectId],
      );
      return (rows[0] as { n: number }).n > 0;
    },
    async created() {
      const { rows } = await client.query(
        `SELECT count(*)::int AS n FROM ${events} WHERE type = 'OutboundMessageCreated'`,
      );
      return (rows[0] as { n: number }).n;
    },
    async release() {
      if (released) return;
      released = true;
      try {
        await client.query(`SELECT pg_advisory_unlock(${classId}, ${objectId})`);
      } finally {
        await client.end();
      }
    },
  };
}
