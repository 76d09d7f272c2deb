import type { Kysely, Transaction } from 'kysely';

/**
 * A read-model database seen from outside one read model: each read model types its own
 * tables (e.g. `ConversationsDatabase`) and narrows these at its boundary.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type SchemalessDb = Kysely<any>;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type SchemalessTransaction = Transaction<any>;
