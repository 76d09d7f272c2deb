import { userInfo } from 'node:os';

/**
 * The URL with a user name filled in when it names none: libpq (psql) falls back to the OS
 * user, node-postgres does not.
 */
export function withDefaultUser(url: URL): URL {
  const filled = new URL(url);
  if (!filled.username) {
    filled.username = process.env.PGUSER || process.env.USER || userInfo().username;
  }
  return filled;
}
