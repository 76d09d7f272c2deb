import type { DomainEvent, EventMetadata } from '@missive/domain';
import {
  WrongExpectedVersionError,
  type AppendResult,
  type EventData,
  type EventStore,
  type ExpectedRevision,
} from '@missive/event-store';
import { randomUUID } from 'node:crypto';
import type { AggregateCache } from './aggregateCache';
import type { CommandContext } from './commandContext';

export const SCHEMA_VERSION = 1;

export function toEventData(event: DomainEvent, ctx: CommandContext, now: Date): EventData {
  const metadata: EventMetadata = {
    eventId: randomUUID(),
    correlationId: ctx.correlationId,
    causationId: ctx.causationId,
    actorUserId: ctx.actorUserId,
    occurredAt: now.toISOString(),
    schemaVersion: SCHEMA_VERSION,
  };
  return { id: metadata.eventId, type: event.type, data: event.data, metadata: { ...metadata } };
}

export interface Loaded<S> {
  state: S | null;
  revision: ExpectedRevision;
}

export interface LoadOptions {
  /** Start from the cached state and read only the events after it (see AggregateCache). */
  readonly cache?: AggregateCache;
}

/**
 * Folds a stream into aggregate state; `revision` is what the next append must expect. With a
 * cache, the returned state may be the cached one: deep-frozen, shared, never to be mutated.
 */
export async function load<S, E extends DomainEvent>(
  store: EventStore,
  stream: string,
  evolve: (state: S | null, event: E) => S | null,
  options: LoadOptions = {},
): Promise<Loaded<S>> {
  const cached = options.cache?.get<S>(stream, evolve);
  let state: S | null = cached ? cached.state : null;
  let revision: ExpectedRevision = cached ? cached.revision : 'no_stream';
  const from = cached ? { fromRevision: cached.revision + 1 } : undefined;
  for await (const recorded of store.readStream(stream, from)) {
    state = evolve(state, { type: recorded.type, data: recorded.data } as E);
    revision = recorded.revision;
  }
  // Only a completed fold is remembered: a read that failed halfway leaves the cache as it was.
  if (options.cache && typeof revision === 'number' && state !== null) {
    options.cache.set(stream, evolve, revision, state);
  }
  return { state, revision };
}

/**
 * Retries of a command that lost a race for its stream. Each retry reloads and decides again,
 * with a short random pause so that a crowd of writers spreads out instead of colliding again.
 */
export const MAX_CONFLICT_RETRIES = 25;

export class ConcurrencyConflict extends Error {
  override readonly name = 'ConcurrencyConflict';
}

export interface ExecuteOptions extends LoadOptions {
  /** The clock stamped into event metadata. */
  readonly now?: () => Date;
}

/**
 * Load, decide, append with the loaded revision; on a concurrent write reload and decide
 * again (bounded). Returns the append result, or null when the decision wrote nothing.
 * `decide` may be async (e.g. to read the directory for what the state names); it must not
 * mutate the state it is given. The last argument is the clock, or options with it.
 */
export async function execute<S, E extends DomainEvent>(
  store: EventStore,
  stream: string,
  evolve: (state: S | null, event: E) => S | null,
  decide: (state: S | null) => readonly E[] | Promise<readonly E[]>,
  ctx: CommandContext,
  nowOrOptions: (() => Date) | ExecuteOptions = {},
): Promise<{ events: readonly E[]; result: AppendResult | null }> {
  const options = typeof nowOrOptions === 'function' ? { now: nowOrOptions } : nowOrOptions;
  const now = options.now ?? (() => new Date());
  for (let attempt = 0; ; attempt++) {
    const { state, revision } = await load(store, stream, evolve, options);
    const events = await decide(state);
    if (events.length === 0) return { events, result: null };
    try {
      const at = now();
      const result = await store.append(
        stream,
        events.map((e) => toEventData(e, ctx, at)),
        { expectedRevision: revision },
      );
      return { events, result };
    } catch (err) {
      if (!(err instanceof WrongExpectedVersionError)) throw err;
      if (attempt >= MAX_CONFLICT_RETRIES) throw new ConcurrencyConflict(err.message);
      await new Promise((resolve) =>
        setTimeout(resolve, Math.random() * Math.min(50, 2 * (attempt + 1))),
      );
    }
  }
}
