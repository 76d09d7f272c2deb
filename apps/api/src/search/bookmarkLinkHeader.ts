import { toQuery } from '../http/toQuery';

const DROPPED = new Set(['page', 'per_page', 'access_token', 'api_key']);
/** Canvas caps the link URLs together at about 6 KB, keeping the most useful ones. */
const MAX_LINKS_LENGTH = 6 * 1024;
const PRIORITY = ['next', 'current', 'first'];
const ORDER = ['current', 'next', 'first'];

/**
 * Canvas's Link header for a bookmarked collection: current, next (when there is more) and
 * first (`page=first`); no prev and no last, since nothing is counted. Undefined when not even
 * one link fits (a huge query string), so the caller sends no header.
 */
export function bookmarkLinkHeader(
  url: string,
  query: Record<string, unknown>,
  pages: { current: string; next?: string },
  perPage: number,
): string | undefined {
  const kept = Object.fromEntries(Object.entries(query).filter(([k]) => !DROPPED.has(k)));
  const prefix = toQuery(kept);
  const href = (page: string) =>
    `${url}?${prefix ? `${prefix}&` : ''}page=${page}&per_page=${perPage}`;
  const candidates = new Map<string, string>([['current', href(pages.current)]]);
  if (pages.next) candidates.set('next', href(pages.next));
  candidates.set('first', href('first'));
  const chosen = new Set<string>();
  let length = 0;
  for (const rel of PRIORITY) {
    const link = candidates.get(rel);
    if (link === undefined || length + link.length > MAX_LINKS_LENGTH) continue;
    chosen.add(rel);
    length += link.length;
  }
  const links = ORDER.filter((rel) => chosen.has(rel)).map(
    (rel) => `<${candidates.get(rel)!}>; rel="${rel}"`,
  );
  return links.length > 0 ? links.join(',') : undefined;
}
