import { forEachFieldSlot, type ProtectedField } from './personalDataPolicy';

const field = (path: string): ProtectedField => ({ path, subject: () => 's', placeholder: null });

function slots(path: string, data: Record<string, unknown>): unknown[] {
  const found: unknown[] = [];
  forEachFieldSlot(field(path), data, (holder, name) => found.push(holder[name]));
  return found;
}

describe('forEachFieldSlot', () => {
  it('reaches plain, nested and per-element fields', () => {
    const data = {
      name: 'Jane',
      content: { text: 'hi' },
      to: [{ address: 'a' }, { address: 'b' }, { other: 1 }],
      tags: ['x', null, 'y'],
    };
    expect(slots('name', data)).toEqual(['Jane']);
    expect(slots('content.text', data)).toEqual(['hi']);
    expect(slots('to[].address', data)).toEqual(['a', 'b']);
    expect(slots('tags[]', data)).toEqual(['x', 'y']);
  });

  it('skips absent, null and mistyped parts', () => {
    expect(slots('name', {})).toEqual([]);
    expect(slots('name', { name: null })).toEqual([]);
    expect(slots('content.text', { content: 'flat' })).toEqual([]);
    expect(slots('to[].address', { to: { address: 'not an array' } })).toEqual([]);
  });

  it('refuses a malformed path', () => {
    expect(() => slots('a..b', {})).toThrow('bad protected-field path "a..b"');
    expect(() => slots('a[0]', {})).toThrow('bad protected-field path');
  });
});
