import { toQuery } from './toQuery';

export const DEFAULT_PER_PAGE = 10;
export const MAX_PER_PAGE = 100;

export interface PageRequest {
  page: number;
  perPage: number;
}

/**
 * Canvas's `per_page_for`: an absent `per_page` takes the default; any value given is read
 * as Ruby's `to_i` does (leading digits, `_` between them, else 0) and clamped to 1..100, so
 * `per_page=abc` or `per_page=` is one item per page, never an error.
 */
export function clampPerPage(raw: unknown): number {
  if (raw === undefined || raw === null) return DEFAULT_PER_PAGE;
  return Math.min(MAX_PER_PAGE, Math.max(1, rubyToI(String(raw))));
}

/** Ruby's `String#to_i`: optional sign and digits after leading blanks, `_` allowed between digits. */
export function rubyToI(text: string): number {
  const match = /^\s*([+-]?)(\d+(?:_\d+)*)/.exec(text);
  if (!match) return 0;
  const n = Number(match[2]!.replaceAll('_', ''));
  return match[1] === '-' ? -n : n;
}

/** A positive page number, or undefined for a page Canvas would refuse. */
export function parsePage(raw: unknown): number | undefined {
  if (raw === undefined || raw === '') return 1;
  const text = String(raw);
  if (!/^\d+$/.test(text)) return undefined;
  const n = Number(text);
  return n >= 1 && Number.isSafeInteger(n) ? n : undefined;
}

const DROPPED = new Set(['page', 'per_page', 'access_token', 'api_key']);

/**
 * Canvas's Link header: `<url>; rel="x"` joined by `,` with no space, rels in the order
 * current, next, prev, first, last; the query keeps every other parameter (Rails order).
 */
export function canvasLinkHeader(
  baseUrl: string,
  query: Record<string, unknown>,
  { page, perPage }: PageRequest,
  total: number,
): string {
  const kept = Object.fromEntries(Object.entries(query).filter(([k]) => !DROPPED.has(k)));
  const prefix = toQuery(kept);
  const url = (p: number) =>
    `${baseUrl}?${prefix ? `${prefix}&` : ''}page=${p}&per_page=${perPage}`;
  const last = Math.max(1, Math.ceil(total / perPage));
  const links: [string, number][] = [['current', page]];
  if (page < last) links.push(['next', page + 1]);
  if (page > 1) links.push(['prev', page - 1]);
  links.push(['first', 1], ['last', last]);
  return links.map(([rel, p]) => `<${url(p)}>; rel="${rel}"`).join(',');
}
