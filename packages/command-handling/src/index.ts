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
} from './eventSourcing';
export { AggregateCache, type AggregateCacheStats, type CachedAggregate } from './aggregateCache';
export { systemContext, type CommandContext } from './commandContext';
