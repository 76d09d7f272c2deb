import { type ChannelBounced, type OutboundEvent, categories } from '@missive/domain';
import type { EventStore, RecordedEvent } from '@missive/event-store';
import { chunkRows, insertRows, type Projection } from '@missive/projections';
import type { SchemalessTransaction } from '@missive/read-models';
import type { Transaction } from 'kysely';
import { forEachConcurrently } from '../shared/forEachConcurrently';
import { type ChannelFeedback, applyChannelFeedback } from './applyChannelFeedback';
import { type BounceFeedbackDatabase, migrateBounceFeedbackTables } from './bounceFeedbackTables';

export interface BounceFeedbackOptions {
  readonly store: EventStore;
  /** Channels written to at once. Default 32. */
  readonly concurrency?: number;
  readonly now?: () => Date;
}

type FeedbackEvent = OutboundEvent | ChannelBounced;

/**
 * Delivery's feedback to the channels: a permanent bounce of a message sent to a
 * channel adds one to the bounce count (ChannelBounced) of that channel and, as Canvas's
 * `bounce_for_path` does, of every other unretired email channel with the same address (case
 * aside), whoever's it is; each at most once an hour. The address book is the notifications
 * process manager's `notifier_channels`, as it stands when the bounce is applied. A successful send to a
 * channel with bounces clears them (ChannelBounceReset, the seed's rule, although Canvas's own
 * code only clears on reactivation). Each cause writes at most once (see
 * applyChannelFeedback), so replays and a second instance change nothing.
 */
export function bounceFeedbackProcessManager(options: BounceFeedbackOptions): Projection {
  const now = options.now ?? (() => new Date());
  return {
    name: 'bounce-feedback',
    version: 1,
    filter: {
      streamPrefixes: [categories.outbound, categories.channel],
      eventTypes: [
        'OutboundMessageCreated',
        'OutboundMessageSent',
        'OutboundMessageBounced',
        'ChannelBounced',
      ],
    },
    migrate: migrateBounceFeedbackTables,

    async apply(events: readonly RecordedEvent[], trx: SchemalessTransaction) {
      const tx = trx as Transaction<BounceFeedbackDatabase>;
      const channelOf = await loadChannelsOf(tx, events);
      const bouncing = await loadBouncing(tx, events, channelOf);
      const sameAddress = await loadSameAddress(tx, events, channelOf);
      const newChannelOf: string[][] = [];
      const feedback: ChannelFeedback[] = [];
      for (const recorded of events) {
        const e = recorded as unknown as FeedbackEvent;
        switch (e.type) {
          case 'OutboundMessageCreated':
            // Comms messages address numbers, not channels: nothing to feed back.
            if (e.data.channelId && !e.data.suppressed) {
              channelOf.set(e.data.outboundId, e.data.channelId);
              newChannelOf.push([e.data.outboundId, e.data.channelId]);
            }
            break;
          case 'ChannelBounced':
            bouncing.set(e.data.channelId, true);
            break;
          case 'OutboundMessageBounced': {
            const channelId = channelOf.get(e.data.outboundId);
            if (!channelId) break;
            feedback.push({
              kind: 'bounce',
              channelId,
              cause: recorded,
              at: e.data.bouncedAt,
              summary: e.data.reason,
            });
            bouncing.set(channelId, true);
            for (const other of sameAddress.get(channelId) ?? []) {
              feedback.push({
                kind: 'bounce',
                channelId: other,
                cause: recorded,
                at: e.data.bouncedAt,
                summary: e.data.reason,
                via: channelId,
              });
              bouncing.set(other, true);
            }
            break;
          }
          case 'OutboundMessageSent': {
            const channelId = channelOf.get(e.data.outboundId);
            if (!channelId || !bouncing.get(channelId)) break;
            feedback.push({ kind: 'reset', channelId, cause: recorded, at: e.data.sentAt });
            bouncing.set(channelId, false);
            break;
          }
        }
      }
      await insertRows(
        tx,
        'notifier_outbound_channels',
        ['outbound_id', 'channel_id'],
        newChannelOf,
        {
          onConflict: { columns: ['outbound_id'] },
        },
      );
      const cleared = [...bouncing].filter(([, maybe]) => !maybe).map(([id]) => id);
      for (const ids of chunkRows(cleared, 1, 500)) {
        await tx.deleteFrom('notifier_bouncing_channels').where('channel_id', 'in', ids).execute();
      }
      await insertRows(
        tx,
        'notifier_bouncing_channels',
        ['channel_id'],
        [...bouncing].filter(([, maybe]) => maybe).map(([id]) => [id]),
        { onConflict: { columns: ['channel_id'] } },
      );
      // One channel's feedback in log order (a bounce then a reset must stay in that order);
      // different channels in parallel.
      const byChannel = new Map<string, ChannelFeedback[]>();
      for (const f of feedback) {
        const list = byChannel.get(f.channelId) ?? [];
        list.push(f);
        byChannel.set(f.channelId, list);
      }
      await forEachConcurrently(
        [...byChannel.values()],
        options.concurrency ?? 32,
        async (list) => {
          for (const f of list) await applyChannelFeedback(options.store, f, now);
        },
      );
    },
  };
}

async function loadChannelsOf(
  tx: Transaction<BounceFeedbackDatabase>,
  events: readonly RecordedEvent[],
): Promise<Map<string, string>> {
  const ids = new Set<string>();
  for (const recorded of events) {
    const e = recorded as unknown as FeedbackEvent;
    if (e.type === 'OutboundMessageSent' || e.type === 'OutboundMessageBounced') {
      ids.add(e.data.outboundId);
    }
  }
  const channelOf = new Map<string, string>();
  for (const chunk of chunkRows([...ids], 1, 500)) {
    const rows = await tx
      .selectFrom('notifier_outbound_channels')
      .selectAll()
      .where('outbound_id', 'in', chunk)
      .execute();
    for (const row of rows) channelOf.set(row.outbound_id, row.channel_id);
  }
  return channelOf;
}

/** For each channel a message of the batch bounced from: the other live email channels of its address. */
async function loadSameAddress(
  tx: Transaction<BounceFeedbackDatabase>,
  events: readonly RecordedEvent[],
  channelOf: ReadonlyMap<string, string>,
): Promise<Map<string, string[]>> {
  // A message may be created and bounce within one batch: its channel is not stored yet.
  const createdFor = new Map<string, string>();
  const ids = new Set<string>();
  for (const recorded of events) {
    const e = recorded as unknown as FeedbackEvent;
    if (e.type === 'OutboundMessageCreated' && e.data.channelId) {
      createdFor.set(e.data.outboundId, e.data.channelId);
    }
    if (e.type !== 'OutboundMessageBounced') continue;
    const channelId = channelOf.get(e.data.outboundId) ?? createdFor.get(e.data.outboundId);
    if (channelId) ids.add(channelId);
  }
  const others = new Map<string, string[]>();
  for (const chunk of chunkRows([...ids], 1, 500)) {
    const rows = await tx
      .selectFrom('notifier_channels as bounced')
      .innerJoin('notifier_channels as other', 'other.address_key', 'bounced.address_key')
      .select(['bounced.channel_id as bounced', 'other.channel_id as other'])
      .where('bounced.channel_id', 'in', chunk)
      .where('bounced.type', '=', 'email')
      .where('other.type', '=', 'email')
      .where('other.workflow_state', '<>', 'retired')
      .whereRef('other.channel_id', '<>', 'bounced.channel_id')
      .orderBy('other.channel_id')
      .execute();
    for (const row of rows) {
      const list = others.get(row.bounced) ?? [];
      list.push(row.other);
      others.set(row.bounced, list);
    }
  }
  return others;
}

/** Whether each channel the batch may touch might have bounces (true) or surely has none. */
async function loadBouncing(
  tx: Transaction<BounceFeedbackDatabase>,
  events: readonly RecordedEvent[],
  channelOf: ReadonlyMap<string, string>,
): Promise<Map<string, boolean>> {
  const ids = new Set<string>();
  for (const recorded of events) {
    const e = recorded as unknown as FeedbackEvent;
    if (e.type === 'OutboundMessageCreated' && e.data.channelId) ids.add(e.data.channelId);
    if (e.type === 'ChannelBounced') ids.add(e.data.channelId);
  }
  for (const channelId of channelOf.values()) ids.add(channelId);
  const bouncing = new Map<string, boolean>();
  for (const chunk of chunkRows([...ids], 1, 500)) {
    const rows = await tx
      .selectFrom('notifier_bouncing_channels')
      .selectAll()
      .where('channel_id', 'in', chunk)
      .execute();
    for (const row of rows) bouncing.set(row.channel_id, true);
  }
  return bouncing;
}
