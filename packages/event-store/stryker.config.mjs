// Mutation testing of the embedded SQLite adapter (the default store), by the shared contract
// suite and the adapter's own tests. Left out: PostgreSQL (its suite needs a server) and
// EventStoreDB, tested here only against its in-memory stand-in client; measure that one on
// demand with `npx stryker run --mutate 'src/esdb/**/*.ts,!src/**/*.spec.ts'`.
// Run with `npm run mutate` (root: every package; here: this one). Not in CI: too long for two
// cores. Incremental: the last result is kept in reports/stryker-incremental.json (git-ignored,
// beside the HTML report) and a re-run only tests mutants whose code or covering tests changed;
// `npm run mutate -- --force` (or deleting reports/) runs everything.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  // The SQLite adapter, and the append queue it shares with the PostgreSQL adapter.
  mutate: ['src/sqlite/**/*.ts', 'src/pendingAppend.ts', '!src/**/*.spec.ts'],
  testRunner: 'jest',
  jest: { projectType: 'custom', configFile: 'jest.config.js', enableFindRelatedTests: true },
  coverageAnalysis: 'perTest',
  checkers: ['typescript'],
  tsconfigFile: 'tsconfig.json',
  concurrency: 1,
  incremental: true,
  incrementalFile: 'reports/stryker-incremental.json',
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  thresholds: { high: 90, low: 80, break: 90 },
  // The sandbox sits two levels below the repository root, as the package does, so that
  // jest.config.js still finds ../../jest.preset.js from inside it.
  tempDirName: '../../.stryker-tmp-event-store',
  cleanTempDir: 'always',
};
