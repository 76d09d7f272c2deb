/**
 * What makes an API benchmark refuse to print a figure: any error response, and any projection
 * left behind the log or with a parked event once the load is over. A figure built on failed
 * requests or on events the read models never applied would flatter the server.
 */
export class BenchFailure extends Error {
  override readonly name = 'BenchFailure';
}

/** Fails the run when any request of a figure (warm-up included) was answered with an error. */
export function requireNoErrors(figure: string, errors: number, requests: number): void {
  if (errors > 0) {
    throw new BenchFailure(`${figure}: ${errors} of ${requests} requests got an error response`);
  }
}

interface ProjectionHealth {
  lag: number;
  parked: number;
}

/** `/ready`'s per-projection details (Terminus puts every indicator under `details`). */
function projectionsOf(body: unknown): Record<string, ProjectionHealth> {
  const details = (body as { details?: { projections?: Record<string, unknown> } }).details;
  return Object.fromEntries(
    Object.entries(details?.projections ?? {}).filter(
      (entry): entry is [string, ProjectionHealth] =>
        typeof (entry[1] as ProjectionHealth | null)?.lag === 'number',
    ),
  );
}

/**
 * Waits until every projection the API serves has applied the whole log (lag 0), reading
 * `/ready`. A parked event fails at once; lag still left after `timeoutMs` fails too.
 */
export async function requireProjectionsCaughtUp(
  baseUrl: string,
  timeoutMs = 120_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await fetch(`${baseUrl}/ready`);
    const projections = projectionsOf(await res.json());
    const names = Object.keys(projections);
    if (names.length === 0) throw new BenchFailure(`/ready (${res.status}) lists no projections`);
    const parked = names.filter((n) => projections[n]!.parked > 0);
    if (parked.length > 0) {
      throw new BenchFailure(
        `parked events: ${parked.map((n) => `${n} ${projections[n]!.parked}`).join(', ')}`,
      );
    }
    const behind = names.filter((n) => projections[n]!.lag > 0);
    if (behind.length === 0) return;
    if (Date.now() > deadline) {
      throw new BenchFailure(
        `lag left after ${timeoutMs} ms: ${behind.map((n) => `${n} ${projections[n]!.lag}`).join(', ')}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Runs a benchmark's main: a failure prints one `BENCH FAILED: <why>` line and exits 1. */
export function runBench(main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    if (error instanceof BenchFailure) console.error(`BENCH FAILED: ${error.message}`);
    else console.error('BENCH FAILED:', error);
    process.exit(1);
  });
}
