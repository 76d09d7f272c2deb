/**
 * Rails' `Hash#to_query`, which Canvas uses to rebuild pagination links: each pair is
 * CGI-escaped (space as `+`), arrays become `key[]=v` in their own order, nested objects
 * `key[sub]=v`, and the encoded pairs of a hash are sorted as strings.
 */
function escape(value: string): string {
  return encodeURIComponent(value)
    .replace(/%20/g, '+')
    .replace(/[!'()*~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function pairs(value: unknown, prefix: string): string {
  if (Array.isArray(value)) {
    return value.map((v) => pairs(v, `${prefix}[]`)).join('&');
  }
  if (value !== null && typeof value === 'object') {
    return toQuery(value as Record<string, unknown>, prefix);
  }
  return `${escape(prefix)}=${escape(value === null || value === undefined ? '' : String(value))}`;
}

export function toQuery(params: Record<string, unknown>, namespace?: string): string {
  return Object.entries(params)
    .map(([key, value]) => pairs(value, namespace ? `${namespace}[${key}]` : key))
    .filter((s) => s.length > 0)
    .sort()
    .join('&');
}
