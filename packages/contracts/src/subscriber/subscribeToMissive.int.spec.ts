import { SqliteEventStore, type EventStore, type Position } from '@missive/event-store';
import { randomUUID } from 'node:crypto';
import { subscribeToMissive } from './subscribeToMissive';

function stored(type: string, data: unknown) {
  return { id: randomUUID(), type, data, metadata: { schemaVersion: 1, occurredAt: 'now' } };
}

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 400 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
  if (!check()) throw new Error('condition not reached');
}

describe('subscribeToMissive', () => {
  let store: EventStore;

  beforeEach(() => {
    store = new SqliteEventStore({ path: ':memory:' });
  });
  afterEach(() => store.close());

  it('delivers typed payloads of the handled types, catch-up then live, with checkpoints', async () => {
    await store.append('channel-1', [
      stored('ChannelRemoved', { channelId: '1', userId: '7', removedAt: 't1' }),
    ]);
    await store.append('user-7', [stored('AccessTokenRevoked', { userId: '7', tokenId: 'x' })]);
    const removed: string[] = [];
    const checkpoints: Position[] = [];
    const subscription = subscribeToMissive({
      store,
      handlers: {
        ChannelRemoved: (data, context) => {
          removed.push(`${data.channelId}@${context.streamId}`);
        },
      },
      onCheckpoint: (position) => {
        checkpoints.push(position);
      },
    });
    await until(() => removed.length === 1);
    await store.append('channel-2', [
      stored('ChannelRemoved', { channelId: '2', userId: '7', removedAt: 't2' }),
    ]);
    await until(() => removed.length === 2);
    await subscription.close();
    await subscription.done;

    expect(removed).toEqual(['1@channel-1', '2@channel-2']);
    expect(checkpoints).toHaveLength(2);
  });

  it('resumes after the last checkpoint without repeating an event', async () => {
    await store.append('channel-1', [
      stored('ChannelRemoved', { channelId: '1', userId: '7', removedAt: 't1' }),
      stored('ChannelRemoved', { channelId: '1', userId: '7', removedAt: 't2' }),
    ]);
    let checkpoint: Position | undefined;
    const first = subscribeToMissive({
      store,
      handlers: { ChannelRemoved: () => undefined },
      onCheckpoint: (p) => {
        checkpoint ??= p;
      },
    });
    await until(() => checkpoint !== undefined);
    await first.close();

    const seen: string[] = [];
    const second = subscribeToMissive({
      store,
      from: checkpoint!,
      handlers: { ChannelRemoved: (data) => void seen.push(data.removedAt) },
    });
    await until(() => seen.length === 1);
    await second.close();
    expect(seen).toEqual(['t2']);
  });

  it('stops at a failing handler without checkpointing that event', async () => {
    await store.append('channel-1', [
      stored('ChannelRemoved', { channelId: '1', userId: '7', removedAt: 't1' }),
    ]);
    const checkpoints: Position[] = [];
    const subscription = subscribeToMissive({
      store,
      handlers: {
        ChannelRemoved: () => {
          throw new Error('downstream is down');
        },
      },
      onCheckpoint: (p) => void checkpoints.push(p),
    });
    await expect(subscription.done).rejects.toThrow('downstream is down');
    expect(checkpoints).toEqual([]);
  });

  it('refuses handlers for internal or unknown events', () => {
    expect(() =>
      subscribeToMissive({
        store,
        handlers: { AccessTokenIssued: () => undefined },
      }),
    ).toThrow('not public Missive events: AccessTokenIssued');
  });
});
