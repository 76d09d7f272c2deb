import { ULID_PATTERN, derivedUlid, encodeUlid, newUlid } from './outboundIds';

describe('outbound ids', () => {
  it('encodes the ULID reference vector (time part) and all-ones entropy', () => {
    // The ULID spec's example time 1469918176385 encodes as 01ARYZ6S41.
    expect(encodeUlid(1469918176385, new Uint8Array(10).fill(0xff))).toBe(
      '01aryz6s41zzzzzzzzzzzzzzzz',
    );
    expect(encodeUlid(0, new Uint8Array(10))).toBe('0'.repeat(26));
  });

  it('needs 80 bits of entropy', () => {
    expect(() => encodeUlid(0, new Uint8Array(9))).toThrow(
      new RangeError('a ULID needs 80 bits of entropy'),
    );
  });

  it('matches the Comms id pattern, which takes nothing around the id', () => {
    expect(newUlid()).toMatch(ULID_PATTERN);
    const id = '01aryz6s41zzzzzzzzzzzzzzzz';
    expect(id).toMatch(ULID_PATTERN);
    for (const wrong of [`${id}0`, `0${id}`, `8${id.slice(1)}`, id.slice(1), id.toUpperCase()]) {
      expect(ULID_PATTERN.test(wrong)).toBe(false);
    }
    expect(`comms_message_${newUlid()}`).toMatch(/^comms_message_[0-7][a-hjkmnpqrstv-z0-9]{25,34}/);
  });

  it('derives the same id from the same cause, and different ids otherwise', () => {
    const at = new Date('2026-11-23T10:00:00Z');
    expect(derivedUlid('e1', 'channel-9', at)).toBe(derivedUlid('e1', 'channel-9', at));
    expect(derivedUlid('e1', 'channel-9', at)).not.toBe(derivedUlid('e1', 'channel-8', at));
    expect(derivedUlid('e2', 'channel-9', at)).not.toBe(derivedUlid('e1', 'channel-9', at));
  });

  it('sorts by time', () => {
    const a = newUlid(new Date('2026-01-01T00:00:00Z'));
    const b = newUlid(new Date('2026-01-01T00:00:00.001Z'));
    expect(a < b).toBe(true);
  });
});
