import { DomainError } from '../shared/domainError';

/** Comms tags are at most 10 pairs of URL-safe keys (≤ 128) and values (≤ 256). */
export const MAX_COMMS_TAGS = 10;
export const MAX_TAG_KEY_LENGTH = 128;
export const MAX_TAG_VALUE_LENGTH = 256;
export const TAG_TEXT = /^[a-zA-Z0-9._~-]+$/;

/** The first rule a tag map breaks, as the attribute path under `tags`, or null when valid. */
export function commsTagsProblem(tags: Record<string, unknown>): string | null {
  const entries = Object.entries(tags);
  if (entries.length > MAX_COMMS_TAGS) return `at most ${MAX_COMMS_TAGS} tags are allowed`;
  for (const [key, value] of entries) {
    if (key.length > MAX_TAG_KEY_LENGTH || !TAG_TEXT.test(key)) {
      return `tag key ${JSON.stringify(key)} must be 1-${MAX_TAG_KEY_LENGTH} characters of [a-zA-Z0-9._~-]`;
    }
    if (typeof value !== 'string' || value.length > MAX_TAG_VALUE_LENGTH || !TAG_TEXT.test(value)) {
      return `tag ${JSON.stringify(key)} must have a value of 1-${MAX_TAG_VALUE_LENGTH} characters of [a-zA-Z0-9._~-]`;
    }
  }
  return null;
}

export function checkCommsTags(tags: Record<string, unknown>): Record<string, string> {
  const problem = commsTagsProblem(tags);
  if (problem) throw new DomainError('invalid', 'tags', problem);
  return tags as Record<string, string>;
}

/**
 * The list filter `key:value;key:value;` (every pair ends with `;`, 1 to 10
 * pairs), as distinct pairs: a message must carry all of them, so `a:1;a:2;` matches nothing.
 * Null when the text does not have that form.
 */
export function parseTagsFilter(text: string): Array<[string, string]> | null {
  if (!/^(?:[a-zA-Z0-9._~-]+:[a-zA-Z0-9._~-]+;){1,10}$/.test(text)) return null;
  const pairs = new Map<string, [string, string]>();
  for (const pair of text.slice(0, -1).split(';')) {
    const colon = pair.indexOf(':');
    pairs.set(pair, [pair.slice(0, colon), pair.slice(colon + 1)]);
  }
  return [...pairs.values()];
}
