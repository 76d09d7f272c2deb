import { toQuery } from '../http/toQuery';

const DROPPED = new Set(['page', 'per_page', 'access_token', 'api_key']);

/**
 * Canvas's Link header for a bookmarked collection: current, next (when there is more) and
 * first (`page=first`); no prev and no last, since nothing is counted.
 */
export function bookmarkLinkHeader(
  url: string,
  query: Record<string, unknown>,
  pages: { current: string; next?: string },
  perPage: number,
): string {
  const kept = Object.fromEntries(Object.entries(query).filter(([k]) => !DROPPED.has(k)));
  const prefix = toQuery(kept);
  const link = (page: string, rel: string) =>
    `<${url}?${prefix ? `${prefix}&` : ''}page=${page}&per_page=${perPage}>; rel="${rel}"`;
  const links = [link(pages.current, 'current')];
  if (pages.next) links.push(link(pages.next, 'next'));
  links.push(link('first', 'first'));
  return links.join(',');
}
