import { subscribeToMissive, type MissiveHandlers } from '@missive/contracts';
import { createEventStore } from '@missive/event-store';
import { ERASED_PLACEHOLDERS, protectMissiveEventStore } from '@missive/personal-data';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { eventually } from '../comms/testing/commsClient';
import { readFeed } from '../events/testing/readFeed';
import { ADMIN_TOKEN, TestApp } from '../testing/testApp';

const READ_TYPES = [
  'UserRegistered',
  'ConversationStarted',
  'MessageAdded',
  'OutboundMessageCreated',
  'UserErased',
] as const;

type Seen = { type: string; data: Record<string, unknown> };

/** Whether a payload still carries a sealed value (`{ $pd: 1, ... }`) anywhere. */
const sealedIn = (data: unknown) => JSON.stringify(data).includes('"$pd"');

/**
 * What readers of the log get once a user is erased: the event feed and `subscribeToMissive`
 * (a service in another process, with a key cache of its own) show the documented
 * placeholders, and the notification that quoted the user to someone else stays that
 * recipient's record.
 */
describe('erasure, as readers of the log see it', () => {
  let app: TestApp;
  beforeEach(async () => {
    // The notifier runs: it mails the conversation to the other participant.
    app = await TestApp.start({ RUN_NOTIFIER: 'true' });
  });
  afterEach(() => app.stop());

  it('gives the feed and subscribers placeholders for the erased user, and keeps the notification quoting them under its recipient’s key', async () => {
    const marker = randomBytes(8).toString('hex');
    const name = `Name${marker}`;
    const subject = `Subject${marker}`;
    const body = `Body${marker}`;
    const ada = await app.createUser(name, `login${marker}`);
    const bob = await app.createUserWithEmail('Bob Other', `bob${marker}@example.com`);
    await app.courseWith(ada.id, bob.id);
    const started = await app.request('POST', '/api/v1/conversations', {
      token: ada.token,
      form: { 'recipients[]': String(bob.id), subject, body },
    });
    expect(started.status).toBe(201);
    const bobsMail = async () =>
      (
        await app.request('GET', `/api/v1/comm_messages?user_id=${bob.id}`, {
          token: ADMIN_TOKEN,
        })
      ).body as Array<{ body: string; subject: string }>;
    const mailed = await eventually(bobsMail, (mail) => mail.length === 1);
    expect(mailed[0]!.body).toContain(body);

    // A subscriber in another process: the same files, its own key cache.
    const external = protectMissiveEventStore(
      createEventStore(`sqlite:${join(app.dataDir, 'events.db')}`),
      `sqlite:${join(app.dataDir, 'keys.db')}`,
    );
    const subscribe = (seen: Seen[]) =>
      subscribeToMissive({
        store: external,
        handlers: Object.fromEntries(
          READ_TYPES.map((type) => [
            type,
            (data: Record<string, unknown>) => void seen.push({ type, data }),
          ]),
        ) as MissiveHandlers,
      });
    const live: Seen[] = [];
    const liveSubscription = subscribe(live);
    const replay: Seen[] = [];
    try {
      // While the key lives, the subscriber reads the values.
      const added = await eventually(
        async () => live.find((e) => e.type === 'MessageAdded'),
        Boolean,
      );
      expect(added!.data).toMatchObject({ body, authorId: String(ada.id) });

      const erased = await app.request('POST', `/api/v1/users/${ada.id}/erasure`, {
        token: ADMIN_TOKEN,
      });
      expect(erased.body).toMatchObject({ workflow_state: 'completed' });
      // The live subscriber is told, so it can purge its own copies.
      expect(await eventually(async () => live.some((e) => e.type === 'UserErased'), Boolean)).toBe(
        true,
      );
      expect(live.find((e) => e.type === 'UserErased')!.data).toEqual({
        userId: String(ada.id),
        erasedAt: expect.any(String),
      });

      // Read again from the start: the subscriber and the feed show the placeholders.
      const replaySubscription = subscribe(replay);
      expect(
        await eventually(async () => replay.some((e) => e.type === 'UserErased'), Boolean),
      ).toBe(true);
      await replaySubscription.close();
      const stored = (await app.allEvents()).filter((e) =>
        (READ_TYPES as readonly string[]).includes(e.type),
      );
      const frames = await readFeed(app, `?type=${READ_TYPES.join(',')}`, stored.length);
      expect(frames).toHaveLength(stored.length);
      const fromFeed = frames.map((f) => ({
        type: f.event.replace('com.missive.', ''),
        data: f.data['data'] as Record<string, unknown>,
      }));

      for (const [reader, events] of [
        ['subscriber', replay],
        ['feed', fromFeed],
      ] as const) {
        const of = (type: string, match: (data: Record<string, unknown>) => boolean) =>
          events.find((e) => e.type === type && match(e.data))?.data;
        expect([reader, of('UserRegistered', (d) => d.userId === String(ada.id))]).toEqual([
          reader,
          expect.objectContaining({
            name: ERASED_PLACEHOLDERS.name,
            shortName: ERASED_PLACEHOLDERS.name,
            sortableName: ERASED_PLACEHOLDERS.name,
            loginId: ERASED_PLACEHOLDERS.loginId,
          }),
        ]);
        expect([reader, of('ConversationStarted', () => true)]).toEqual([
          reader,
          expect.objectContaining({ subject: ERASED_PLACEHOLDERS.text }),
        ]);
        expect([reader, of('MessageAdded', () => true)]).toEqual([
          reader,
          expect.objectContaining({ body: ERASED_PLACEHOLDERS.text }),
        ]);
        // Others' data is untouched; nothing arrives sealed, as an error or as ciphertext.
        expect([reader, of('UserRegistered', (d) => d.userId === String(bob.id))]).toEqual([
          reader,
          expect.objectContaining({ name: 'Bob Other' }),
        ]);
        expect([reader, events.filter((e) => sealedIn(e.data))]).toEqual([reader, []]);
        // The notification mailed to Bob quotes Ada, and is Bob's record, under his key.
        const copy = of('OutboundMessageCreated', (d) => d.userId === String(bob.id));
        expect([reader, String(copy?.body).includes(body)]).toEqual([reader, true]);
        const rest = events.filter((e) => e.data !== copy);
        for (const value of [name, subject, body]) {
          expect([reader, value, JSON.stringify(rest).includes(value)]).toEqual([
            reader,
            value,
            false,
          ]);
        }
      }
      // Bob's CommMessages still show what was sent to him, until he is erased himself.
      expect((await bobsMail())[0]!.body).toContain(body);
      const bobErased = await app.request('POST', `/api/v1/users/${bob.id}/erasure`, {
        token: ADMIN_TOKEN,
      });
      expect(bobErased.status).toBe(200);
      expect(await bobsMail()).toEqual([]);
      const copy = (await app.allEvents()).find(
        (e) =>
          e.type === 'OutboundMessageCreated' &&
          (e.data as { userId: string }).userId === String(bob.id),
      );
      expect(copy!.data).toMatchObject({
        body: ERASED_PLACEHOLDERS.text,
        subject: ERASED_PLACEHOLDERS.text,
        to: ERASED_PLACEHOLDERS.address,
      });
    } finally {
      await liveSubscription.close();
      await external.close();
    }
  });
});
