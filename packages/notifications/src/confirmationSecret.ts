import { randomBytes } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ConfigError } from '@missive/process';

/**
 * The key of confirmation codes, as the API finds it (apps/api confirmationSecret): configured,
 * or on the embedded default the random secret kept in DATA_DIR, created by whichever process
 * starts first. The notifier must derive the very codes the API checks.
 */
export function confirmationSecret(settings: {
  CONFIRMATION_SECRET?: string;
  DATA_DIR: string;
  eventStoreUrl: string;
}): string {
  if (settings.CONFIRMATION_SECRET) return settings.CONFIRMATION_SECRET;
  if (!settings.eventStoreUrl.startsWith('sqlite:')) {
    throw new ConfigError(
      'invalid configuration: CONFIRMATION_SECRET is required when EVENT_STORE_URL is not sqlite (the API and the notifier must share it)',
    );
  }
  const dir = resolve(settings.DATA_DIR);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'confirmation.secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  // Written aside and linked into place: a process starting at the same moment either finds
  // the whole secret or creates its own link, never reads a half-written file. The notifier
  // and the API (both may start first) share the file.
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, randomBytes(32).toString('hex'), { mode: 0o600 });
  try {
    linkSync(temporary, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    unlinkSync(temporary);
  }
  return readFileSync(file, 'utf8').trim();
}
