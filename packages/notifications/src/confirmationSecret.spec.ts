import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { confirmationSecret } from './confirmationSecret';
import { ConfigError } from './notifierConfig';

describe('confirmationSecret (notifier)', () => {
  it('shares the file in DATA_DIR with the API, whichever starts first', () => {
    const dir = mkdtempSync(join(tmpdir(), 'notifier-secret-'));
    try {
      const settings = { DATA_DIR: dir, eventStoreUrl: `sqlite:${join(dir, 'events.db')}` };
      const secret = confirmationSecret(settings);
      expect(secret).toMatch(/^[0-9a-f]{64}$/);
      expect(confirmationSecret(settings)).toBe(secret);
      expect(readFileSync(join(dir, 'confirmation.secret'), 'utf8')).toBe(secret);
      expect(statSync(join(dir, 'confirmation.secret')).mode & 0o777).toBe(0o600);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('takes the configured secret, and demands one off the embedded default', () => {
    expect(
      confirmationSecret({
        CONFIRMATION_SECRET: 'c'.repeat(32),
        DATA_DIR: '.',
        eventStoreUrl: 'esdb://x',
      }),
    ).toBe('c'.repeat(32));
    expect(() => confirmationSecret({ DATA_DIR: '.', eventStoreUrl: 'esdb://x:2113' })).toThrow(
      ConfigError,
    );
  });
});
