import type { FanOutMessage, MessageOperationFanOut } from './messageOperationEvents';
import { joinFanOut, splitFanOut } from './splitFanOut';

function fanOutOf(count: number, variableLength: number): MessageOperationFanOut {
  const messages: FanOutMessage[] = Array.from({ length: count }, (_, i) => ({
    channel: 'phone',
    to: `+1555${String(i).padStart(7, '0')}`,
    variables: { name: `n${i}`.padEnd(variableLength, '.') },
  }));
  return { text: 'Hi {{name}}', media: [], from: { phone: '+15550000000' }, messages };
}

describe('splitFanOut', () => {
  it('keeps a fan-out that fits inline, with no parts', () => {
    const fanOut = fanOutOf(100, 10);

    const split = splitFanOut('op1', fanOut, 64 * 1024);

    expect(split.fanOut).toBe(fanOut);
    expect(split.parts).toEqual([]);
  });

  it('cuts a large fan-out into parts under the limit that join back in index order', () => {
    const fanOut = fanOutOf(10_000, 200);
    const limit = 512 * 1024;

    const split = splitFanOut('op1', fanOut, limit);

    expect(split.fanOut.messages).toEqual([]);
    expect(split.fanOut.parts).toBe(split.parts.length);
    expect(split.parts.length).toBeGreaterThan(1);
    split.parts.forEach((part, k) => {
      expect(part.type).toBe('MessageOperationFanOutPart');
      expect(part.data).toMatchObject({ operationId: 'op1', part: k, parts: split.parts.length });
      expect(Buffer.byteLength(JSON.stringify(part.data.messages))).toBeLessThanOrEqual(limit);
    });
    expect(
      joinFanOut(
        split.fanOut,
        split.parts.map((p) => p.data),
      ),
    ).toEqual(fanOut.messages);
  });

  it('gives a message larger than a part a part of its own', () => {
    const fanOut = fanOutOf(3, 2000);

    const split = splitFanOut('op1', fanOut, 1000);

    expect(split.parts.map((p) => p.data.messages.length)).toEqual([1, 1, 1]);
  });
});

describe('joinFanOut', () => {
  const split = splitFanOut('op1', fanOutOf(300, 100), 4096);
  const parts = split.parts.map((p) => p.data);

  it('returns inline messages as they are', () => {
    const fanOut = fanOutOf(2, 1);
    expect(joinFanOut(fanOut, [])).toBe(fanOut.messages);
  });

  it('refuses a missing part', () => {
    expect(() => joinFanOut(split.fanOut, parts.slice(1))).toThrow(/of its/);
  });

  it('refuses parts out of place', () => {
    const swapped = [parts[1]!, parts[0]!, ...parts.slice(2)];
    expect(() => joinFanOut(split.fanOut, swapped)).toThrow(/found at/);
  });
});
