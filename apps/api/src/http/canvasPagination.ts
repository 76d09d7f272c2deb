import { toQuery } from './toQuery';

export const DEFAULT_PER_PAGE = 10;
export const MAX_PER_PAGE = 100;

export interface PageRequest {
  page: number;
  perPage: number;
}

/** `per_page` is clamped to 1..100, never an error, as Canvas does. */
export function clampPerPage(raw: unknown): number {
  const n = Number.parseInt(String(raw ?? ''), 10);
  if (Number.isNaN(n)) return DEFAULT_PER_PAGE;
  return Math.min(MAX_PER_PAGE, Math.max(1, n));
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
