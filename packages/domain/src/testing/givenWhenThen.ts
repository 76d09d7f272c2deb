import { DomainError } from '../shared/domainError';
import type { DomainEvent } from '../shared/domainEvent';

/**
 * Given/when/then over a decider: fold the given events into state, run the command,
 * and assert on the events it decides or the DomainError it raises.
 */
export function spec<S, E extends DomainEvent>(evolve: (state: S | null, event: E) => S | null) {
  return {
    given(...events: E[]) {
      const state = events.reduce<S | null>((s, e) => evolve(s, e), null);
      return {
        when(decide: (state: S | null) => readonly E[]) {
          return {
            then(expected: readonly E[]) {
              expect(decide(state)).toEqual(expected);
            },
            thenThrows(
              expected: Partial<Pick<DomainError, 'kind' | 'attribute' | 'message' | 'type'>>,
            ) {
              let caught: unknown;
              try {
                decide(state);
              } catch (err) {
                caught = err;
              }
              expect(caught).toBeInstanceOf(DomainError);
              expect(caught).toMatchObject(expected);
            },
          };
        },
      };
    },
  };
}
