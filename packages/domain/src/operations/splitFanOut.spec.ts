import type { FanOutMessage, MessageOperationFanOut } from './messageOperationEvents';
import { MAX_FAN_OUT_BYTES, joinFanOut, splitFanOut } from './splitFanOut';

function fanOutOf(count: number, variableLength: number): MessageOperationFanOut {
  const messages: FanOutMessage[] = Array.from({ length: count }, (_, i) => ({
    channel: 'phone',
    to: `+1555${String(i).padStart(7, '0')}`,
    variables: { name: `n${i}`.padEnd(variableLength, '.') },
  }));
  return { text: 'Hi {{name}}', media: [], from: { phone: '+15550000000' }, messages };
}

/** What a message counts for in a part: its JSON and the comma after it. */
const bytesOf = (message: FanOutMessage) => Buffer.byteLength(JSON.stringify(message)) + 1;

/** Messages that add up to exactly `total` counted bytes. */
function fanOutOfBytes(total: number): MessageOperationFanOut {
  const fanOut = fanOutOf(Math.floor(total / 2000), 1900);
  const used = fanOut.messages.reduce((sum, m) => sum + bytesOf(m), 0);
  const last: FanOutMessage = { channel: 'phone', to: '+15559999999', variables: { name: '' } };
  last.variables!.name = '.'.repeat(total - used - bytesOf(last));
  fanOut.messages.push(last);
  expect(fanOut.messages.reduce((sum, m) => sum + bytesOf(m), 0)).toBe(total);
  return fanOut;
}

describe('splitFanOut', () => {
  it('keeps up to 512 KiB inline by default, and cuts one byte more', () => {
    expect(MAX_FAN_OUT_BYTES).toBe(524_288);
    const fits = fanOutOfBytes(MAX_FAN_OUT_BYTES);
    expect(splitFanOut('op1', fits)).toEqual({ fanOut: fits, parts: [] });
    const over = fanOutOfBytes(MAX_FAN_OUT_BYTES + 1);
    expect(splitFanOut('op1', over).parts).toHaveLength(2);
  });

  it('fills each part up to the limit exactly before starting the next', () => {
    const fanOut = fanOutOf(4, 10);
    const each = bytesOf(fanOut.messages[0]!);
    expect(fanOut.messages.map(bytesOf)).toEqual([each, each, each, each]);

    const split = splitFanOut('op1', fanOut, 2 * each);

    expect(split.parts.map((p) => p.data.messages)).toEqual([
      fanOut.messages.slice(0, 2),
      fanOut.messages.slice(2),
    ]);
  });

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
    const count = parts.length;
    expect(() => joinFanOut(split.fanOut, parts.slice(1))).toThrow(
      new Error(`fan-out has ${count - 1} of its ${count} parts`),
    );
  });

  it('refuses parts out of place, or of another cut', () => {
    const count = parts.length;
    const swapped = [parts[1]!, parts[0]!, ...parts.slice(2)];
    expect(() => joinFanOut(split.fanOut, swapped)).toThrow(
      new Error(`fan-out part 1/${count} found at 0/${count}`),
    );
    const otherCut = parts.map((p) => ({ ...p, parts: count + 1 }));
    expect(() => joinFanOut(split.fanOut, otherCut)).toThrow(
      new Error(`fan-out part 0/${count + 1} found at 0/${count}`),
    );
  });
});
