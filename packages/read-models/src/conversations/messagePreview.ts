import { sql, type RawBuilder } from 'kysely';

/**
 * How much of a message a list item keeps: Canvas cuts `last_message` and
 * `last_authored_message` to 100 characters, deciding by whether the text is longer than that,
 * so the first 101 characters give the same cut as the whole body.
 */
export const PREVIEW_CHARACTERS = 101;

/**
 * The first `PREVIEW_CHARACTERS` characters of a body, counted as SQL's `substr` counts them
 * (code points, not UTF-16 units), so the fold and the statements store the same text.
 */
export function messagePreview(value: unknown): string | null {
  // A malformed event's body is stored as the database converts it, and so previewed.
  if (value === null || value === undefined) return null;
  const body = String(value);
  // Fewer units than characters wanted: the whole body, whatever it holds.
  if (body.length <= PREVIEW_CHARACTERS) return body;
  let end = 0;
  for (let n = 0; n < PREVIEW_CHARACTERS && end < body.length; n++) {
    const unit = body.charCodeAt(end);
    const low = body.charCodeAt(end + 1);
    end += unit >= 0xd800 && unit <= 0xdbff && low >= 0xdc00 && low <= 0xdfff ? 2 : 1;
  }
  return body.slice(0, end);
}

/** `messagePreview` of a body column, in SQL. */
export function previewSql(body: RawBuilder<unknown>): RawBuilder<string | null> {
  return sql<string | null>`substr(${body}, 1, ${sql.lit(PREVIEW_CHARACTERS)})`;
}
