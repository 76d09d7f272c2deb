import type { AppendResult, EventData, EventStore, ExpectedRevision } from '../eventStore';
import { WrongExpectedVersionError } from '../wrongExpectedVersionError';
import { randomUUID } from 'node:crypto';
import type { CommandContext } from './commandContext';

export const SCHEMA_VERSION = 1;

/** What a decider returns: a past-tense type name and a JSON payload (see @missive/domain). */
export interface DomainEvent<T extends string = string, D = unknown> {
  readonly type: T;
  readonly data: D;
}

/** Metadata every stored event carries (DESIGN §3). */
export interface EventMetadata {
  readonly eventId: string;
  readonly correlationId: string;
  readonly causationId: string;
  readonly actorUserId: string | null;
  readonly occurredAt: string;
  readonly schemaVersion: number;
}

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

/** Folds a stream into aggregate state; `revision` is what the next append must expect. */
export async function load<S, E extends DomainEvent>(
  store: EventStore,
  stream: string,
  evolve: (state: S | null, event: E) => S | null,
): Promise<Loaded<S>> {
  let state: S | null = null;
  let revision: ExpectedRevision = 'no_stream';
  for await (const recorded of store.readStream(stream)) {
    state = evolve(state, { type: recorded.type, data: recorded.data } as E);
    revision = recorded.revision;
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

/**
 * Load, decide, append with the loaded revision; on a concurrent write reload and decide
 * again (bounded). Returns the append result, or null when the decision wrote nothing.
 */
export async function execute<S, E extends DomainEvent>(
  store: EventStore,
  stream: string,
  evolve: (state: S | null, event: E) => S | null,
  decide: (state: S | null) => readonly E[],
  ctx: CommandContext,
  now: () => Date = () => new Date(),
): Promise<{ events: readonly E[]; result: AppendResult | null }> {
  for (let attempt = 0; ; attempt++) {
    const { state, revision } = await load(store, stream, evolve);
    const events = decide(state);
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
