import { isSealedValue, newDataKey, openValue, sealValue } from './fieldCipher';

describe('sealValue / openValue', () => {
  const key = newDataKey();

  it('round-trips any JSON value and hides it', () => {
    for (const value of ['Jane Doe', 4242424242.5, { a: ['x', null] }, ['+14155550100']]) {
      const sealed = sealValue(key, 'user:1', value);
      expect(isSealedValue(sealed)).toBe(true);
      expect(sealed.s).toBe('user:1');
      expect(sealed.c).not.toContain(JSON.stringify(value));
      expect(openValue(key, sealed)).toEqual(value);
    }
  });

  it('uses a fresh IV each time, across refills of its pool of random IVs', () => {
    expect(sealValue(key, 'user:1', 'x').c).not.toBe(sealValue(key, 'user:1', 'x').c);
    const ivs = Array.from({ length: 3000 }, () =>
      Buffer.from(sealValue(key, 'user:1', 'x').c, 'base64')
        .subarray(0, 12)
        .toString('hex'),
    );
    expect(new Set(ivs).size).toBe(3000);
  });

  it('refuses another key, another subject and tampered bytes', () => {
    const sealed = sealValue(key, 'user:1', 'secret');
    expect(() => openValue(newDataKey(), sealed)).toThrow(/unable to authenticate|auth/i);
    expect(() => openValue(key, { ...sealed, s: 'user:2' })).toThrow(/auth/i);
    const bytes = Buffer.from(sealed.c, 'base64');
    bytes[14] = bytes[14]! ^ 1;
    expect(() => openValue(key, { ...sealed, c: bytes.toString('base64') })).toThrow(/auth/i);
    expect(() => openValue(key, { ...sealed, c: 'AAAA' })).toThrow('sealed value is truncated');
  });

  it('tells sealed values from user data that looks alike', () => {
    expect(isSealedValue({ $pd: 1, s: 'user:1', c: 'x' })).toBe(true);
    expect(isSealedValue({ $pd: '1', s: 'user:1', c: 'x' })).toBe(false);
    expect(isSealedValue({ $pd: 1, s: 1, c: 'x' })).toBe(false);
    expect(isSealedValue({ $pd: 1, s: 'user:1' })).toBe(false);
    expect(isSealedValue('{"$pd":1}')).toBe(false);
    expect(isSealedValue(null)).toBe(false);
  });
});
