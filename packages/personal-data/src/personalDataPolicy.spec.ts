import { copyAlongPaths, forEachFieldSlot, type ProtectedField } from './personalDataPolicy';

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

describe('copyAlongPaths', () => {
  it('copies what the paths reach and shares the rest', () => {
    const shared = { deep: true };
    const data = {
      name: 'Jane',
      fanOut: { text: 't', other: shared },
      to: [{ address: 'a', keep: shared }],
      tags: ['x'],
      untouched: shared,
    };
    const fields = ['name', 'fanOut.text', 'to[].address', 'tags[]'].map(field);
    const copy = copyAlongPaths(fields, data);
    for (const f of fields) forEachFieldSlot(f, copy, (holder, name) => (holder[name] = 'X'));
    expect(copy).toEqual({
      name: 'X',
      fanOut: { text: 'X', other: shared },
      to: [{ address: 'X', keep: shared }],
      tags: ['X'],
      untouched: shared,
    });
    expect(data).toEqual({
      name: 'Jane',
      fanOut: { text: 't', other: shared },
      to: [{ address: 'a', keep: shared }],
      tags: ['x'],
      untouched: shared,
    });
    expect(copy.untouched).toBe(shared);
    expect((copy.fanOut as { other: unknown }).other).toBe(shared);
  });
});
