import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { emlOf } from './emlOf';
import { smtpMessageIdOf } from './mailOptionsOf';
import type { OutgoingMessage, SendResult, Transport } from './transport';

/** What the sandbox keeps per outbound message, as `<outboundId>.json` (with a `.eml` beside). */
export interface SandboxRecord {
  readonly outboundId: string;
  readonly messageId: string;
  readonly channel: string;
  readonly from: string;
  readonly fromName: string | null;
  readonly to: string;
  readonly replyTo: string | null;
  readonly subject: string | null;
  readonly body: string;
  readonly htmlBody: string | null;
  readonly media: readonly string[];
  readonly status: 'delivered' | 'bounced';
  readonly reason: string | null;
  readonly providerMessageId: string;
  readonly recordedAt: string;
}

/**
 * The mailbox simulator convention, so that tests and demos can provoke bounces: `bounce@…` or `…+bounce@…` bounces for good.
 * For a phone number there is no local part, so nothing bounces.
 */
export function isSandboxBounceAddress(address: string): boolean {
  const at = address.lastIndexOf('@');
  if (at <= 0) return false;
  const local = address.slice(0, at).trim().toLowerCase();
  return local === 'bounce' || local.endsWith('+bounce');
}

/**
 * The embedded default instead of a relay: every message becomes files under DATA_DIR/sandbox
 * that an operator (or a test) can read, and is reported delivered at once, unless the address
 * follows the bounce convention. One record per outbound id: sending the same message again
 * (a retry after a crash mid-attempt) finds the record and reports the same outcome without a
 * second delivery.
 */
export class SandboxTransport implements Transport {
  readonly name = 'sandbox';
  readonly #dir: string;
  #ready = false;

  constructor(dir: string) {
    this.#dir = dir;
  }

  get directory(): string {
    return this.#dir;
  }

  async send(message: OutgoingMessage): Promise<SendResult> {
    if (!this.#ready) {
      mkdirSync(this.#dir, { recursive: true });
      removeAbandonedTemporaries(this.#dir);
      this.#ready = true;
    }
    const base = join(this.#dir, fileNameOf(message.outboundId));
    const existing = readRecord(`${base}.json`);
    if (existing) return resultOf(existing);
    const bounced = isSandboxBounceAddress(message.to);
    const record: SandboxRecord = {
      outboundId: message.outboundId,
      messageId: message.messageId,
      channel: message.channel,
      from: message.from,
      fromName: message.fromName,
      to: message.to,
      replyTo: message.replyTo,
      subject: message.subject,
      body: message.body,
      htmlBody: message.htmlBody,
      media: message.media,
      status: bounced ? 'bounced' : 'delivered',
      reason: bounced ? 'sandbox: the address follows the bounce convention' : null,
      providerMessageId: smtpMessageIdOf(message.outboundId),
      recordedAt: new Date().toISOString(),
    };
    if (message.channel === 'email') {
      // Not atomic, and need not be: until the JSON exists a resend writes it again.
      writeFileSync(`${base}.eml`, emlOf(message, new Date(record.recordedAt)));
    }
    // The JSON goes last: its presence is what marks the message as handled.
    writeAtomically(`${base}.json`, `${JSON.stringify(record, null, 2)}\n`);
    return resultOf(record);
  }
}

function resultOf(record: SandboxRecord): SendResult {
  if (record.status === 'bounced') {
    return { outcome: 'bounced', reason: record.reason ?? 'sandbox bounce' };
  }
  return {
    outcome: 'sent',
    providerMessageId: record.providerMessageId,
    receipt: { status: 'delivered' },
  };
}

// Synchronous on purpose: a few small writes to the page cache cost tens of microseconds,
// while the async versions queue on libuv's four threads behind every other message's.

function readRecord(path: string): SandboxRecord | null {
  // A stat, not a failed open: almost every message is new, and errors are costly to build.
  if (!existsSync(path)) return null;
  return JSON.parse(readFileSync(path, 'utf8')) as SandboxRecord;
}

/**
 * A process killed between writing a record beside its place and renaming it over leaves the
 * `.<pid>.tmp` file behind; the message itself is sent again (its attempt is taken back), so
 * the file is only litter. Those of processes no longer running go.
 */
function removeAbandonedTemporaries(dir: string): void {
  for (const name of readdirSync(dir)) {
    const pid = /\.(\d+)\.tmp$/.exec(name)?.[1];
    if (pid !== undefined && !isRunning(Number(pid))) rmSync(join(dir, name), { force: true });
  }
}

function isRunning(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, as another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Readers never see half a file: write beside it, then rename over. */
function writeAtomically(path: string, content: string): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, content);
  renameSync(temporary, path);
}

/** Outbound ids are ULIDs; anything else is hashed rather than trusted as a file name. */
function fileNameOf(outboundId: string): string {
  return /^[0-9a-z_-]{1,64}$/.test(outboundId)
    ? outboundId
    : createHash('sha256').update(outboundId).digest('hex');
}
