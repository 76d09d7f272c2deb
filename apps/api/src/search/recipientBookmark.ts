import type { ContextCursor, UserCursor } from '@missive/read-models';
import { isCanvasId } from '../http/canvasId';

/**
 * Where the next page starts, in Canvas's concatenated-collection form: the collection's name
 * and the last item's sort key, e.g. `["participants",["Doe, Jane","7"]]`.
 */
export type RecipientBookmark =
  | { collection: 'contexts'; after: ContextCursor }
  | { collection: 'participants'; after: UserCursor };

/** `bookmark:` + unpadded URL-safe base64 of the JSON, as Canvas's JSONToken writes it. */
export function encodeBookmark(bookmark: RecipientBookmark): string {
  const key =
    bookmark.collection === 'contexts'
      ? [bookmark.after.name, bookmark.after.kind, bookmark.after.id]
      : [bookmark.after.sortableName, bookmark.after.id];
  const json = JSON.stringify([bookmark.collection, key]);
  return `bookmark:${Buffer.from(json, 'utf8').toString('base64url')}`;
}

/**
 * The start of the page `page` asks for: null for the first page (absent, `first` or `1`),
 * undefined when `page` is not a bookmark this endpoint wrote.
 */
export function decodeBookmark(page: unknown): RecipientBookmark | null | undefined {
  if (page === undefined || page === '' || page === 'first' || page === '1') return null;
  if (typeof page !== 'string' || !page.startsWith('bookmark:')) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(page.slice('bookmark:'.length), 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (!Array.isArray(parsed) || parsed.length !== 2 || !Array.isArray(parsed[1])) return undefined;
  const [collection, key] = parsed as [unknown, unknown[]];
  if (
    collection === 'contexts' &&
    key.length === 3 &&
    typeof key[0] === 'string' &&
    (key[1] === 'course' || key[1] === 'group') &&
    typeof key[2] === 'string' &&
    isCanvasId(key[2])
  ) {
    return { collection, after: { name: key[0], kind: key[1], id: key[2] } };
  }
  if (
    collection === 'participants' &&
    key.length === 2 &&
    typeof key[0] === 'string' &&
    typeof key[1] === 'string' &&
    isCanvasId(key[1])
  ) {
    return { collection, after: { sortableName: key[0], id: key[1] } };
  }
  return undefined;
}
