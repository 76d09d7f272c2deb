import type { ConversationFilter, ConversationView } from '@missive/read-models';
import { CanvasError } from '../http/canvasError';
import { inScope } from './conversationJson';
import { scopeOf } from './listConversationsHandler';

/**
 * Canvas's infer_visibility: outside the index, `visible` says whether the conversation is in
 * the scope the request's own `scope`, `filter[]`/`filter` and `filter_mode` build, read
 * from the query string and the body alike, as Rails merges them.
 */
export function visibilityOf(...sources: unknown[]): (view: ConversationView) => boolean {
  const params = Object.assign({}, ...sources.filter((s) => s && typeof s === 'object')) as Record<
    string,
    unknown
  >;
  const scope = scopeOf(params['scope']);
  const filter = filterFromParams(params);
  return (view) => inScope(view, scope) && matchesFilter(view, filter);
}

/** `filter[]=a&filter[]=b` or `filter=a`; blank entries ignored; `filter_mode` or (default) / and. */
export function filterFromParams(params: Record<string, unknown>): ConversationFilter | undefined {
  const raw = params['filter'];
  const values = (Array.isArray(raw) ? raw : [raw])
    .filter((v): v is string => typeof v === 'string')
    .map((v) => v.trim())
    .filter((v) => v !== '');
  const rawMode = params['filter_mode'];
  const mode = rawMode === undefined || rawMode === '' ? 'or' : rawMode;
  if (mode !== 'or' && mode !== 'and') throw CanvasError.conversation('filter_mode', 'invalid');
  return values.length > 0 ? { values, mode } : undefined;
}

/** As the list's SQL: `user_N` names a participant, anything else one of the viewer's tags. */
export function matchesFilter(view: ConversationView, filter: ConversationFilter | undefined) {
  if (!filter) return true;
  const hits = filter.values.map((value) => {
    const user = /^user_(\d{1,16})$/.exec(value);
    if (user) return view.participants.some((p) => p.id === user[1]);
    return view.tags.includes(value);
  });
  return filter.mode === 'and' ? hits.every(Boolean) : hits.some(Boolean);
}
