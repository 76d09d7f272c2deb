import { readDigestFile, writeDigestFile } from './digestFile';
import { followEventFeed } from './followEventFeed';
import { DIGEST_EVENT_TYPES, InboxDigest } from './inboxDigest';

export interface RunDigestOptions {
  readonly baseUrl: string;
  readonly token: string;
  readonly digestFile: string;
  readonly signal: AbortSignal;
  readonly retryMs?: number;
}

/** Resumes from the digest file and keeps it current until aborted. */
export async function runDigest(options: RunDigestOptions): Promise<void> {
  const snapshot = readDigestFile(options.digestFile);
  const digest = new InboxDigest(snapshot.users, snapshot.erased ?? []);
  await followEventFeed({
    baseUrl: options.baseUrl,
    token: options.token,
    types: DIGEST_EVENT_TYPES,
    lastEventId: snapshot.lastEventId ?? undefined,
    signal: options.signal,
    retryMs: options.retryMs,
    onEvent: (event, id) => {
      digest.apply(event);
      writeDigestFile(options.digestFile, {
        lastEventId: id,
        users: digest.users,
        erased: digest.erased,
      });
    },
  });
}
