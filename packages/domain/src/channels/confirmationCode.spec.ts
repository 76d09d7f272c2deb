import { ConfirmationCodes } from './confirmationCode';

describe('ConfirmationCodes', () => {
  const codes = new ConfirmationCodes('a'.repeat(32));

  it('derives the same readable 8-character code for the same channel and nonce', () => {
    const code = codes.codeFor('42', 'nonce');
    expect(code).toMatch(/^[A-HJKMNP-Z2-9]{8}$/);
    expect(codes.codeFor('42', 'nonce')).toBe(code);
    expect(codes.codeFor('43', 'nonce')).not.toBe(code);
    expect(codes.codeFor('42', 'other')).not.toBe(code);
    expect(new ConfirmationCodes('b'.repeat(32)).codeFor('42', 'nonce')).not.toBe(code);
  });

  it('pins the derivation, so codes sent before an upgrade still confirm after it', () => {
    expect(codes.codeFor('42', 'nonce')).toBe('XHWCPNK7');
  });

  it('draws a fresh 128-bit nonce each time', () => {
    const nonce = codes.newNonce();
    expect(nonce).toMatch(/^[0-9a-f]{32}$/);
    expect(codes.newNonce()).not.toBe(nonce);
  });
});
