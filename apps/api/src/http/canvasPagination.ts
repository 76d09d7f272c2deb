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
 * The most the Link header may take, in bytes. Clients read all of a response's headers within
 * a fixed size (Node's fetch and http: 16 KB; nginx's proxy buffers: 4-8 KB per line); the
 * header repeats the query in up to five links, so a long query alone could pass the limit.
 */
export const LINK_HEADER_LIMIT = 8 * 1024;

/**
 * Canvas's Link header: `<url>; rel="x"` joined by `,` with no space, rels in the order
 * current, next, prev, first, last; the query keeps every other parameter (Rails order).
 *
 * Kept within LINK_HEADER_LIMIT: while it is over, the parameter with the longest encoding
 * (all its values) is left out of the links, then the origin (the links become relative, as
 * RFC 8288 allows). A link that lost a parameter pages without it, so a client sending a query
 * that long gets pages of a wider list rather than an answer it cannot read.
 */
export function canvasLinkHeader(
  baseUrl: string,
  query: Record<string, unknown>,
  { page, perPage }: PageRequest,
  total: number,
): string {
  const last = Math.max(1, Math.ceil(total / perPage));
  const links: [string, number][] = [['current', page]];
  if (page < last) links.push(['next', page + 1]);
  if (page > 1) links.push(['prev', page - 1]);
  links.push(['first', 1], ['last', last]);
  const render = (base: string, prefix: string) =>
    links
      .map(
        ([rel, p]) =>
          `<${base}?${prefix ? `${prefix}&` : ''}page=${p}&per_page=${perPage}>; rel="${rel}"`,
      )
      .join(',');

  const kept = Object.entries(query)
    .filter(([k]) => !DROPPED.has(k))
    .map(([k, v]) => ({ key: k, encoded: toQuery({ [k]: v }) }))
    // Longest last, so that the loop below drops from the end.
    .sort((a, b) => a.encoded.length - b.encoded.length);
  const prefixOf = () => toQuery(Object.fromEntries(kept.map(({ key }) => [key, query[key]])));
  let header = render(baseUrl, prefixOf());
  while (Buffer.byteLength(header) > LINK_HEADER_LIMIT && kept.length > 0) {
    kept.pop();
    header = render(baseUrl, prefixOf());
  }
  if (Buffer.byteLength(header) > LINK_HEADER_LIMIT) header = render(relativeOf(baseUrl), '');
  return header;
}

/** The path of an absolute URL: what is left of a link when even the origin is too long. */
function relativeOf(url: string): string {
  const match = /^[a-z][a-z0-9+.-]*:\/\/[^/]*(\/.*)?$/i.exec(url);
  return match ? (match[1] ?? '/') : url;
}
