import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SandboxTransport, isSandboxBounceAddress, type SandboxRecord } from './sandboxTransport';
import type { OutgoingMessage } from './transport';

const message = (outboundId: string, to: string): OutgoingMessage => ({
  outboundId,
  messageId: '42',
  channel: 'email',
  to,
  from: 'notifications@example.com',
  fromName: 'Missive',
  replyTo: null,
  subject: 'Field trip',
  body: 'Bring a lunch.',
  htmlBody: null,
  media: [],
});

describe('SandboxTransport', () => {
  let dir: string;
  let sandbox: SandboxTransport;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sandbox-'));
    sandbox = new SandboxTransport(join(dir, 'sandbox'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('clears the temporary files of a process killed between write and rename', async () => {
    // A process that has exited: its pid is free (or taken by something that is not writing here).
    const dead = spawnSync(process.execPath, [
      '-e',
      'process.stdout.write(String(process.pid))',
    ]).stdout.toString();
    const box = join(dir, 'sandbox');
    mkdirSync(box, { recursive: true });
    const left = `01jq0000000000000000000009.json.${dead}.tmp`;
    const live = `01jq0000000000000000000008.json.${process.pid}.tmp`;
    writeFileSync(join(box, left), '{"half":');
    writeFileSync(join(box, live), '{"being written":');

    await sandbox.send(message('01jq0000000000000000000001', 'ben@example.com'));

    const names = readdirSync(box);
    expect(names).not.toContain(left);
    // A running process's file may be mid-write: it stays.
    expect(names).toContain(live);
  });

  it('keeps each message as JSON and .eml, reported delivered', async () => {
    const result = await sandbox.send(message('01jq0000000000000000000001', 'ben@example.com'));

    expect(result).toEqual({
      outcome: 'sent',
      providerMessageId: '<01jq0000000000000000000001@missive>',
      receipt: { status: 'delivered' },
    });
    expect(readdirSync(join(dir, 'sandbox')).sort()).toEqual([
      '01jq0000000000000000000001.eml',
      '01jq0000000000000000000001.json',
    ]);
    const record = JSON.parse(
      readFileSync(join(dir, 'sandbox', '01jq0000000000000000000001.json'), 'utf8'),
    ) as SandboxRecord;
    expect(record).toMatchObject({
      to: 'ben@example.com',
      subject: 'Field trip',
      status: 'delivered',
    });
    const eml = readFileSync(join(dir, 'sandbox', '01jq0000000000000000000001.eml'), 'utf8');
    expect(eml).toMatch(/^Message-ID: <01jq0000000000000000000001@missive>/m);
    expect(eml).toContain('Bring a lunch.');
  });

  it.each(['bounce@example.com', 'ben+bounce@example.com', 'BOUNCE@example.com'])(
    'bounces %s for good',
    async (to) => {
      expect(await sandbox.send(message('01jq0000000000000000000002', to))).toMatchObject({
        outcome: 'bounced',
      });
    },
  );

  it('follows the convention only in the local part', () => {
    expect(isSandboxBounceAddress('bounce@example.com')).toBe(true);
    expect(isSandboxBounceAddress('a+bounce@example.com')).toBe(true);
    expect(isSandboxBounceAddress('bouncer@example.com')).toBe(false);
    expect(isSandboxBounceAddress('ben@bounce.example.com')).toBe(false);
    expect(isSandboxBounceAddress('+15550100')).toBe(false);
  });

  it('delivers one outbound id once: a resend reports the first outcome and writes nothing', async () => {
    const first = await sandbox.send(message('01jq0000000000000000000003', 'ben@example.com'));
    const file = join(dir, 'sandbox', '01jq0000000000000000000003.json');
    const before = readFileSync(file, 'utf8');

    const again = await sandbox.send({
      ...message('01jq0000000000000000000003', 'bounce@example.com'),
      body: 'changed',
    });

    expect(again).toEqual(first);
    expect(readFileSync(file, 'utf8')).toBe(before);
  });
});
