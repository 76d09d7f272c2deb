import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { dialectOf } from '@missive/projections';
import type { SchemalessDb } from '@missive/read-models';
import { sql } from 'kysely';
import { READ_DB } from './tokens';

/** 64 MB: the whole hot part of a 100,000-conversation inbox model (indexes, recent rows). */
const CACHE_KIB = 64 * 1024;
/** Reads through a memory map skip a system call and a copy per page not in the cache. */
const MMAP_BYTES = 256 * 1024 * 1024;

/**
 * SQLite's defaults (a 2 MB page cache, no memory map) suit small files; list requests on a
 * large read model then spend most of their SQLite time in read() calls for pages that
 * were just evicted. The embedded read model has one connection, shared with the in-process
 * projectors, so setting it here applies to everything that reads or writes the model.
 */
@Injectable()
export class SqliteReadTuning implements OnModuleInit {
  constructor(@Inject(READ_DB) private readonly db: SchemalessDb) {}

  async onModuleInit(): Promise<void> {
    if (dialectOf(this.db) !== 'sqlite') return;
    await sql.raw(`PRAGMA cache_size = -${CACHE_KIB}`).execute(this.db);
    await sql.raw(`PRAGMA mmap_size = ${MMAP_BYTES}`).execute(this.db);
  }
}
