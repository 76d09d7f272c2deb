import { currentVersionOf } from './eventCatalogue';

/** Turns a payload of version N into version N + 1. Stored events are never rewritten. */
type Upcaster = (data: Record<string, unknown>) => Record<string, unknown>;

/** One step per version bump, keyed by type then by the version it upgrades *from*. */
export const upcasters: Readonly<Record<string, Readonly<Record<number, Upcaster>>>> = {};

/**
 * Brings a stored payload up to the current version, one step at a time. Events whose
 * `schemaVersion` is missing are version 1.
 */
export function upcast(
  type: string,
  schemaVersion: number | undefined,
  data: unknown,
): { version: number; data: unknown } {
  const target = currentVersionOf(type);
  let version = schemaVersion ?? 1;
  let payload = data as Record<string, unknown>;
  while (version < target) {
    const step = upcasters[type]?.[version];
    if (!step) throw new Error(`no upcaster for ${type} v${version} -> v${version + 1}`);
    payload = step(payload);
    version++;
  }
  return { version, data: payload };
}
