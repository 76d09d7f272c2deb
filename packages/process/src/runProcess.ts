import { ConfigError } from './projectorConfig';

/**
 * Runs a process's `main` and keeps it alive until SIGTERM or SIGINT; then `main`'s returned
 * stop function runs (each component finishes what it has in flight) and the process exits 0.
 * A bad configuration stops the process with its one-line messages and exit code 1; any
 * other startup failure prints its stack.
 */
export function runProcess(main: () => Promise<() => Promise<void>>): void {
  main()
    .then((stop) => {
      const shutdown = async () => {
        await stop();
        process.exit(0);
      };
      process.once('SIGTERM', () => void shutdown());
      process.once('SIGINT', () => void shutdown());
    })
    .catch((err) => {
      console.error(err instanceof ConfigError ? err.message : err);
      process.exit(1);
    });
}
