/**
 * A place in the global log. Adapters fill both parts (SQLite: both are the global sequence
 * number; EventStoreDB: commit/prepare log positions). Treat it as opaque: compare with
 * `comparePositions` and persist with `encodePosition`/`decodePosition`.
 */
export interface Position {
  readonly commit: bigint;
  readonly prepare: bigint;
}

export function comparePositions(a: Position | 'start', b: Position | 'start'): number {
  if (a === 'start') return b === 'start' ? 0 : -1;
  if (b === 'start') return 1;
  if (a.commit !== b.commit) return a.commit < b.commit ? -1 : 1;
  if (a.prepare !== b.prepare) return a.prepare < b.prepare ? -1 : 1;
  return 0;
}

/** Text form `commit/prepare`, stable for checkpoints, CloudEvent ids and HTTP resume tokens. */
export function encodePosition(p: Position | 'start'): string {
  return p === 'start' ? 'start' : `${p.commit}/${p.prepare}`;
}

export function decodePosition(text: string): Position | 'start' {
  if (text === 'start') return 'start';
  const match = /^(\d{1,20})\/(\d{1,20})$/.exec(text);
  if (!match) throw new TypeError(`not an event-store position: ${JSON.stringify(text)}`);
  return { commit: BigInt(match[1]!), prepare: BigInt(match[2]!) };
}
