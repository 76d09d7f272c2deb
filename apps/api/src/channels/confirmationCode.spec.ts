import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppConfig, ConfigError, loadConfig } from '../config/appConfig';
import { ConfirmationCodes, confirmationSecret } from './confirmationCode';

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

  it('keeps a generated secret in DATA_DIR on the embedded default, and demands one elsewhere', () => {
    const dir = mkdtempSync(join(tmpdir(), 'secret-'));
    try {
      const config = loadConfig(AppConfig, { DATA_DIR: dir });
      const secret = confirmationSecret(config);
      expect(secret).toMatch(/^[0-9a-f]{64}$/);
      expect(confirmationSecret(config)).toBe(secret);
      expect(readFileSync(join(dir, 'confirmation.secret'), 'utf8')).toBe(secret);
      expect(statSync(join(dir, 'confirmation.secret')).mode & 0o777).toBe(0o600);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const esdb = loadConfig(AppConfig, { EVENT_STORE_URL: 'esdb://eventstore:2113?tls=false' });
    expect(() => confirmationSecret(esdb)).toThrow(ConfigError);
    const given = loadConfig(AppConfig, {
      EVENT_STORE_URL: 'esdb://x:2113',
      CONFIRMATION_SECRET: 'c'.repeat(32),
    });
    expect(confirmationSecret(given)).toBe('c'.repeat(32));
  });
});
