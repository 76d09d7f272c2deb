export {
  createDatabase,
  dialectOf,
  sqlitePathOf,
  type CreateDatabaseOptions,
  type SqlDialectName,
} from './database';
export type { Projection, ProjectionKind } from './projection';
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
  type CheckpointTable,
  type ProjectionTables,
  type StoredCheckpoint,
} from './projectionTables';
export { waitForCheckpoint, type WaitForCheckpointOptions } from './waitForCheckpoint';
export { isTransientError } from './isTransientError';
export { lagBetween } from './lagBetween';
export { chunkRows, MAX_BOUND_PARAMETERS } from './chunkRows';
export { insertRows, type InsertRowsOptions } from './insertRows';
export { readRowsNow } from './readRowsNow';
export { readRowsPrepared } from './readRowsPrepared';
export { startProjections, type RunningProjections } from './startProjections';
export {
  projectionsStatus,
  type ProjectionsStatusOptions,
  type StoredProjectionState,
  type StoredProjectionStatus,
} from './projectionsStatus';
export {
  replayParked,
  type ReplayedEvent,
  type ReplayOutcome,
  type ReplayParkedOptions,
  type ReplayParkedResult,
} from './replayParked';
export {
  rebuildProjection,
  REBUILD_BATCH_SIZE,
  RebuildInterruptedError,
  RebuildRefusedError,
  type RebuildOptions,
  type RebuildProgress,
  type RebuildResult,
} from './rebuild/rebuildProjection';
export { RebuildConflictError } from './rebuild/switchToShadow';
export {
  ShadowTablesPlugin,
  SHADOW_SUFFIX,
  shadowName,
  type OwnedObjects,
} from './rebuild/shadowTablesPlugin';
export { discoverOwnedObjects } from './rebuild/discoverOwnedObjects';
export { REBUILD_NAME_SUFFIX, rebuildNameOf } from './rebuild/shadowProjection';
/** Deterministic randomness for property tests and benchmark data. */
export { seededRandom } from './testing/seededRandom';
/** A read-model database in a schema of its own, dropped afterwards (benches). */
export { withScratchSchema } from './withScratchSchema';
export { truncateSqliteWal, type TruncateSqliteWalOptions } from './truncateSqliteWal';
