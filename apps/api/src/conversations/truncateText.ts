const ELLIPSIS = '...';

/**
 * Canvas's `truncate_text(max_length: 100)`: at most `max` characters including the ellipsis,
 * cut at the last word boundary when there is one in reach.
 */
export function truncateText(text: string, max = 100): string {
  if (text.length <= max) return text;
  const limit = max - ELLIPSIS.length;
  const head = text.slice(0, limit + 1);
  const boundary = head.search(/\s\S*$/);
  const cut = boundary > 0 ? text.slice(0, boundary) : text.slice(0, limit);
  return cut.trimEnd() + ELLIPSIS;
}
