import { ULID_PATTERN } from '@missive/domain';

/**
 * The opaque `pageToken`: base64url JSON of the keyset cursor (`a`, the id of
 * the last item before the page; null for the first page) and the filters it was issued for
 * (`f`, as the client sent them), so a client may send the token alone or with the same filters.
 */
export interface PageCursor {
  readonly after: string | null;
  readonly filters: Readonly<Record<string, string>>;
}

export function encodePageToken(cursor: PageCursor): string {
  return Buffer.from(JSON.stringify({ v: 1, a: cursor.after, f: cursor.filters })).toString(
    'base64url',
  );
}

/** The cursor, or null when the token was not issued here for one of `allowedFilters`. */
export function decodePageToken(
  token: string,
  allowedFilters: readonly string[],
): PageCursor | null {
  if (!/^[A-Za-z0-9_-]{1,4096}$/.test(token)) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  if (!parsed || typeof parsed !== 'object') return null;
  const { v, a, f } = parsed as { v?: unknown; a?: unknown; f?: unknown };
  if (v !== 1) return null;
  if (a !== null && (typeof a !== 'string' || !ULID_PATTERN.test(a))) return null;
  if (!f || typeof f !== 'object' || Array.isArray(f)) return null;
  const filters = f as Record<string, unknown>;
  for (const [key, value] of Object.entries(filters)) {
    if (!allowedFilters.includes(key) || typeof value !== 'string') return null;
  }
  return { after: a, filters: filters as Record<string, string> };
}

export function sameFilters(
  a: Readonly<Record<string, string>>,
  b: Readonly<Record<string, string>>,
): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}
