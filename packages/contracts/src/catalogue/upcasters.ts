import { currentVersionOf } from './eventCatalogue';

/** Turns a payload of version N into version N + 1. Stored events are never rewritten. */
export type Upcaster = (data: Record<string, unknown>) => Record<string, unknown>;

/** One step per version bump, keyed by type then by the version it upgrades *from*. */
export type UpcasterTable = Readonly<Record<string, Readonly<Record<number, Upcaster>>>>;

/**
 * Missive's steps. Empty while every event type is at version 1: the first change of a payload
 * shape adds its step here, a version to its catalogue entry, and a test with a stored
 * example of the old shape (see upcasters.spec.ts for how the chain is exercised).
 */
export const upcasters: UpcasterTable = {};

/**
 * Brings a stored payload up to the current version, one step at a time. Events whose
 * `schemaVersion` is missing are version 1; a payload newer than this code knows is refused
 * rather than misread.
 */
export function upcastWith(
  table: UpcasterTable,
  versionOf: (type: string) => number,
  type: string,
  schemaVersion: number | undefined,
  data: unknown,
): { version: number; data: unknown } {
  const target = versionOf(type);
  let version = schemaVersion ?? 1;
  if (version > target) {
    throw new Error(`${type} v${version} is newer than this code (v${target}): upgrade the reader`);
  }
  let payload = data as Record<string, unknown>;
  while (version < target) {
    const step = table[type]?.[version];
    if (!step) throw new Error(`no upcaster for ${type} v${version} -> v${version + 1}`);
    payload = step(payload);
    version++;
  }
  return { version, data: payload };
}

export function upcast(
  type: string,
  schemaVersion: number | undefined,
  data: unknown,
): { version: number; data: unknown } {
  return upcastWith(upcasters, currentVersionOf, type, schemaVersion, data);
}
