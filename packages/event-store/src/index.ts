export * from './eventStore';
export * from './position';
export { WrongExpectedVersionError } from './wrongExpectedVersionError';
export { AppendTooLargeError, MAX_APPEND_BYTES } from './appendTooLargeError';
export { matchesFilter } from './matchesFilter';
export {
  SqliteEventStore,
  type SqliteEventStoreOptions,
  type SqliteEventStoreStats,
} from './sqlite/sqliteEventStore';
export {
  EventStoreDbEventStore,
  type EventStoreDbEventStoreOptions,
} from './esdb/eventStoreDbEventStore';
export { createEventStore } from './createEventStore';
