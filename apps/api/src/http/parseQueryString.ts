import { parse } from 'qs';

/**
 * Canvas clients send bracket names (`recipients[]=1`, `user[name]=x`, `filter[]=a`) in query
 * strings. Parsed exactly as Express 5's `query parser: extended` did (qs with prototypes
 * allowed and qs's own limits: 20 array items, depth 5, 1,000 parameters), so every query
 * reaches the DTOs in the shape it always had.
 */
export function parseQueryString(query: string): Record<string, unknown> {
  return parse(query, { allowPrototypes: true });
}
