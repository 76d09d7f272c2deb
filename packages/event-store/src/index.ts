export * from './eventStore';
export * from './position';
export { WrongExpectedVersionError } from './wrongExpectedVersionError';
export { AppendTooLargeError, MAX_APPEND_BYTES } from './appendTooLargeError';
export { UnknownPositionError } from './unknownPositionError';
export { SubscriptionFailedError } from './subscriptionFailedError';
export { matchesFilter } from './matchesFilter';
export {
  SqliteEventStore,
  type SqliteEventStoreOptions,
  type SqliteEventStoreStats,
} from './sqlite/sqliteEventStore';
export {
  PostgresEventStore,
  type PostgresEventStoreOptions,
  type PostgresEventStoreStats,
} from './postgres/postgresEventStore';
export {
  EventStoreDbEventStore,
  type EventStoreDbEventStoreOptions,
} from './esdb/eventStoreDbEventStore';
export { PositionUnavailableError } from './esdb/positionUnavailableError';
export type { ResubscribeOptions } from './esdb/esdbSubscription';
/** For tests and benches that each need schemas of their own on a shared server. */
export { ScratchSchemas } from './postgres/scratchSchemas';
export { createEventStore, EVENT_STORE_URL_PATTERN } from './createEventStore';
