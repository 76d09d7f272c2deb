import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { DigestEntry } from './inboxDigest';

export interface DigestSnapshot {
  /** The feed id (log position) of the last event folded into `users`. */
  lastEventId: string | null;
  users: Record<string, DigestEntry>;
  /** Users erased in Missive (absent from files written before erasures were followed). */
  erased?: string[];
}

export function readDigestFile(path: string): DigestSnapshot {
  if (!existsSync(path)) return { lastEventId: null, users: {} };
  return JSON.parse(readFileSync(path, 'utf8')) as DigestSnapshot;
}

/** State and checkpoint in one file, replaced atomically: a crash never splits them. */
export function writeDigestFile(path: string, snapshot: DigestSnapshot): void {
  writeFileSync(`${path}.tmp`, JSON.stringify(snapshot, null, 2));
  renameSync(`${path}.tmp`, path);
}
