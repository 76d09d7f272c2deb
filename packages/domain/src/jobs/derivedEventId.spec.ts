import { derivedEventId } from './derivedEventId';

describe('derivedEventId', () => {
  it('is a stable RFC 9562 version-8 UUID named by its parts', () => {
    const id = derivedEventId('event-1', 'channel-feedback');
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(derivedEventId('event-1', 'channel-feedback')).toBe(id);
    expect(derivedEventId('event-2', 'channel-feedback')).not.toBe(id);
    // Parts are kept apart: ("ab", "c") and ("a", "bc") name different things.
    expect(derivedEventId('ab', 'c')).not.toBe(derivedEventId('a', 'bc'));
  });
});
