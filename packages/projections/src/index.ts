export {
  createDatabase,
  dialectOf,
  sqlitePathOf,
  type CreateDatabaseOptions,
  type SqlDialectName,
} from './database';
export type { Projection } from './projection';
export {
  ProjectionRunner,
  type ProjectionLogger,
  type ProjectionRunnerOptions,
  type ProjectionState,
  type ProjectionStatus,
} from './projectionRunner';
export {
  countParked,
  ensureProjectionTables,
  isMissingTableError,
  readCheckpoint,
  type ProjectionTables,
  type StoredCheckpoint,
} from './projectionTables';
export { waitForCheckpoint, type WaitForCheckpointOptions } from './waitForCheckpoint';
export { isTransientError } from './isTransientError';
export { lagBetween } from './lagBetween';
export { chunkRows, MAX_BOUND_PARAMETERS } from './chunkRows';
export { insertRows, type InsertRowsOptions } from './insertRows';
export { startProjections, type RunningProjections } from './startProjections';
