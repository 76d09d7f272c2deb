#!/usr/bin/env node
import { runCli } from './runCli';

/** `missive-projections`: the operator's projection tool (see README, "Operating it"). */
const interrupt = new AbortController();
let interrupted = false;
process.on('SIGINT', () => {
  // The first Ctrl-C lets the batch in flight commit; a second one does not wait.
  if (interrupted) process.exit(130);
  interrupted = true;
  process.stderr.write('\nstopping after the batch in flight (Ctrl-C again to quit now)\n');
  interrupt.abort();
});
process.on('SIGTERM', () => interrupt.abort());

runCli(process.argv.slice(2), {
  env: process.env,
  stdout: process.stdout,
  stderr: process.stderr,
  signal: interrupt.signal,
}).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
