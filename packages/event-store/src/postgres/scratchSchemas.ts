import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { withDefaultUser } from './defaultUser';

/**
 * Schemas of one test or bench run on a PostgreSQL server, through one admin connection: names
 * no other run (another process, or an earlier one) has taken, and a drop of each with all it
 * holds when the run ends.
 */
export class ScratchSchemas {
  private constructor(
    /** The admin connection, for what a run does besides (VACUUM, pg_stat_activity). */
    readonly admin: Client,
  ) {}

  /** Connects to the server of `url`; an unreachable server fails the run, never skips it. */
  static async connect(url: string): Promise<ScratchSchemas> {
    const admin = new Client({ connectionString: withDefaultUser(new URL(url)).toString() });
    try {
      await admin.connect();
    } catch (error) {
      throw new Error(`PostgreSQL at ${url} is unreachable: ${String(error)}`, { cause: error });
    }
    return new ScratchSchemas(admin);
  }

  /** `<prefix>_<process id>_<random hex>`. */
  name(prefix: string): string {
    return `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`;
  }

  async drop(...schemas: string[]): Promise<void> {
    for (const schema of schemas)
      await this.admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  }

  async end(): Promise<void> {
    await this.admin.end();
  }
}
