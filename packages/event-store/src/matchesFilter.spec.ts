import { matchesFilter } from './matchesFilter';

describe('matchesFilter', () => {
  it('matches everything without a filter', () => {
    expect(matchesFilter(undefined, 'conversation-1', 'MessageAdded')).toBe(true);
    expect(matchesFilter({}, 'conversation-1', 'MessageAdded')).toBe(true);
  });

  it('requires one of the prefixes and one of the types', () => {
    const filter = { streamPrefixes: ['conversation-', 'user-'], eventTypes: ['MessageAdded'] };
    expect(matchesFilter(filter, 'user-7', 'MessageAdded')).toBe(true);
    expect(matchesFilter(filter, 'channel-7', 'MessageAdded')).toBe(false);
    expect(matchesFilter(filter, 'user-7', 'MessageAddedV2')).toBe(false);
  });

  it('selects nothing with an empty list', () => {
    expect(matchesFilter({ streamPrefixes: [] }, 'conversation-1', 'A')).toBe(false);
    expect(matchesFilter({ eventTypes: [] }, 'conversation-1', 'A')).toBe(false);
  });
});
