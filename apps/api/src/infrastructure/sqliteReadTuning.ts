import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { dialectOf } from '@missive/projections';
import type { SchemalessDb } from '@missive/read-models';
import { sql } from 'kysely';
import { READ_DB } from './tokens';

/** 64 MB: the indexes and recent rows of a 100,000-conversation inbox model stay cached. */
const CACHE_KIB = 64 * 1024;

/**
 * SQLite's default page cache is 2 MB; on a large read model list requests then re-read the
 * pages they just evicted (at 100,000 conversations the list ran at 470–490 req/s with the
 * default and 650–750 with this). A memory map was measured too and gained nothing. The
 * embedded read model has one connection, shared with the in-process projectors, so this
 * applies to everything that reads or writes the model.
 */
@Injectable()
export class SqliteReadTuning implements OnModuleInit {
  constructor(@Inject(READ_DB) private readonly db: SchemalessDb) {}

  async onModuleInit(): Promise<void> {
    if (dialectOf(this.db) !== 'sqlite') return;
    await sql.raw(`PRAGMA cache_size = -${CACHE_KIB}`).execute(this.db);
  }
}
