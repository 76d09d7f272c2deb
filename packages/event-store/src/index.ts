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
export { createEventStore, EVENT_STORE_URL_PATTERN } from './createEventStore';
export {
  ConcurrencyConflict,
  MAX_CONFLICT_RETRIES,
  SCHEMA_VERSION,
  execute,
  load,
  toEventData,
  type ExecuteOptions,
  type Loaded,
  type LoadOptions,
} from './commands/eventSourcing';
export {
  AggregateCache,
  type AggregateCacheStats,
  type CachedAggregate,
} from './commands/aggregateCache';
export { systemContext, type CommandContext } from './commands/commandContext';
