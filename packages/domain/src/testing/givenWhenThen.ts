import { DomainError } from '../shared/domainError';
import type { DomainEvent } from '../shared/domainEvent';

/**
 * The whole error a rule raises: kind, attribute and message always (each one reaches the API's
 * error body); `type` only where it differs from the message, as DomainError defaults it.
 */
export type ExpectedError = Pick<DomainError, 'kind' | 'attribute' | 'message'> &
  Partial<Pick<DomainError, 'type'>>;

/** Runs `act` and asserts it raised exactly this DomainError. */
export function expectDomainError(act: () => unknown, expected: ExpectedError): void {
  let caught: unknown;
  try {
    act();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(DomainError);
  const error = caught as DomainError;
  expect({
    name: error.name,
    kind: error.kind,
    attribute: error.attribute,
    message: error.message,
    type: error.type,
  }).toEqual({ name: 'DomainError', type: expected.message, ...expected });
}

/**
 * Given/when/then over a decider: fold the given events into state, run the command,
 * and assert on the events it decides (exactly: a key set to undefined is not an absent key)
 * or the DomainError it raises.
 */
export function spec<S, E extends DomainEvent>(evolve: (state: S | null, event: E) => S | null) {
  return {
    given(...events: E[]) {
      const state = events.reduce<S | null>((s, e) => evolve(s, e), null);
      return {
        when(decide: (state: S | null) => readonly E[]) {
          return {
            then(expected: readonly E[]) {
              expect(decide(state)).toStrictEqual(expected);
            },
            thenThrows(expected: ExpectedError) {
              expectDomainError(() => decide(state), expected);
            },
          };
        },
      };
    },
  };
}
