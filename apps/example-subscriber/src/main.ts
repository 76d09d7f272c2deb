import { runDigest } from './runDigest';

/**
 * MISSIVE_URL and MISSIVE_TOKEN (an admin token) name the feed; DIGEST_FILE is where the
 * digest and its checkpoint live (default ./inbox-digest.json).
 */
async function main(): Promise<void> {
  const baseUrl = process.env['MISSIVE_URL'];
  const token = process.env['MISSIVE_TOKEN'];
  if (!baseUrl || !token) {
    console.error('MISSIVE_URL and MISSIVE_TOKEN are required');
    process.exit(1);
  }
  const controller = new AbortController();
  process.once('SIGTERM', () => controller.abort());
  process.once('SIGINT', () => controller.abort());
  const digestFile = process.env['DIGEST_FILE'] ?? 'inbox-digest.json';
  console.log(`following ${baseUrl}/api/v1/events into ${digestFile}`);
  await runDigest({ baseUrl, token, digestFile, signal: controller.signal });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
