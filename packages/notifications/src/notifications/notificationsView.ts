import { chunkRows, insertRows } from '@missive/projections';
import type { SchemalessTransaction } from '@missive/read-models';
import type { Transaction } from 'kysely';
import type { NotificationsDatabase } from './notificationsTables';

export interface UserRow {
  readonly userId: string;
  readonly name: string;
  readonly shortName: string;
}

export interface ChannelRow {
  readonly channelId: string;
  readonly userId: string;
  readonly type: string;
  readonly address: string;
  readonly addressKey: string;
  readonly workflowState: string;
  readonly bounceCount: number;
}

export interface ConversationRow {
  readonly conversationId: string;
  readonly subject: string | null;
  readonly contextCode: string | null;
  /** Who started it (whose erasure rewrites the subject); set when the start is applied. */
  readonly authorId?: string;
}

/** What a batch will look at; everything else stays in the database. */
export interface ViewNeeds {
  readonly userIds: ReadonlySet<string>;
  readonly conversationIds: ReadonlySet<string>;
  /** Channels whose address matters (confirmations): every channel sharing it is loaded. */
  readonly channelIds: ReadonlySet<string>;
  readonly addressKeys: ReadonlySet<string>;
}

const IN_LIST = 500;

/**
 * The process manager's tables for one batch, loaded up front with a few multi-row queries and
 * changed in memory event by event, so that each event sees exactly the state the log gives at
 * its position; `flush` then writes what changed with multi-row upserts.
 */
export class NotificationsView {
  private readonly users = new Map<string, UserRow>();
  private readonly channels = new Map<string, ChannelRow>();
  private readonly channelIdsByUser = new Map<string, Set<string>>();
  private readonly channelIdsByAddress = new Map<string, Set<string>>();
  private readonly conversations = new Map<string, ConversationRow>();
  private readonly unsubscribed = new Set<string>();
  private readonly dirtyUsers = new Set<string>();
  private readonly dirtyChannels = new Set<string>();
  private readonly dirtyConversations = new Set<string>();
  private readonly subscriptionChanges = new Map<string, boolean>();

  private constructor() {}

  static async load(trx: SchemalessTransaction, needs: ViewNeeds): Promise<NotificationsView> {
    const tx = trx as Transaction<NotificationsDatabase>;
    const view = new NotificationsView();
    for (const ids of inLists(needs.userIds)) {
      const users = await tx
        .selectFrom('notifier_users')
        .selectAll()
        .where('user_id', 'in', ids)
        .execute();
      for (const u of users) {
        view.users.set(u.user_id, { userId: u.user_id, name: u.name, shortName: u.short_name });
      }
      for (const id of ids) view.channelIdsByUser.set(id, new Set());
      const channels = await tx
        .selectFrom('notifier_channels')
        .selectAll()
        .where('user_id', 'in', ids)
        .execute();
      for (const c of channels) view.remember(channelRowOf(c), { byUser: true });
    }
    const addressKeys = new Set(needs.addressKeys);
    for (const id of needs.channelIds) {
      const known = view.channels.get(id);
      if (known) addressKeys.add(known.addressKey);
    }
    for (const keys of inLists(addressKeys)) {
      for (const key of keys) view.channelIdsByAddress.set(key, new Set());
      const channels = await tx
        .selectFrom('notifier_channels')
        .selectAll()
        .where('address_key', 'in', keys)
        .execute();
      for (const c of channels) view.remember(channelRowOf(c), { byAddress: true });
    }
    for (const ids of inLists(needs.conversationIds)) {
      const conversations = await tx
        .selectFrom('notifier_conversations')
        .selectAll()
        .where('conversation_id', 'in', ids)
        .execute();
      for (const c of conversations) {
        view.conversations.set(c.conversation_id, {
          conversationId: c.conversation_id,
          subject: c.subject,
          contextCode: c.context_code,
        });
      }
      const muted = await tx
        .selectFrom('notifier_unsubscribed')
        .selectAll()
        .where('conversation_id', 'in', ids)
        .execute();
      for (const m of muted) view.unsubscribed.add(pairKey(m.conversation_id, m.user_id));
    }
    return view;
  }

  user(userId: string): UserRow | undefined {
    return this.users.get(userId);
  }

  /** The user's channels in id order (ids grow with creation), so fan-out order is stable. */
  channelsOf(userId: string): ChannelRow[] {
    const ids = this.channelIdsByUser.get(userId);
    if (!ids) throw new Error(`notifications view: user ${userId} was not loaded`);
    return [...ids].map((id) => this.channels.get(id)!).sort(byChannelId);
  }

  channel(channelId: string): ChannelRow | undefined {
    return this.channels.get(channelId);
  }

  /**
   * Whether an address is known to bounce: Canvas counts a permanent bounce against every
   * unretired email channel with that address, whoever holds it.
   */
  addressBounces(addressKey: string, threshold: number): boolean {
    const ids = this.channelIdsByAddress.get(addressKey);
    if (!ids) throw new Error(`notifications view: address ${addressKey} was not loaded`);
    return [...ids].some((id) => {
      const c = this.channels.get(id)!;
      return c.type === 'email' && c.workflowState !== 'retired' && c.bounceCount >= threshold;
    });
  }

  conversation(conversationId: string): ConversationRow | undefined {
    return this.conversations.get(conversationId);
  }

  isUnsubscribed(conversationId: string, userId: string): boolean {
    return this.unsubscribed.has(pairKey(conversationId, userId));
  }

  putUser(row: UserRow): void {
    this.users.set(row.userId, row);
    this.dirtyUsers.add(row.userId);
  }

  putChannel(row: ChannelRow): void {
    this.remember(row, { byUser: true, byAddress: true });
    this.dirtyChannels.add(row.channelId);
  }

  putConversation(row: ConversationRow): void {
    this.conversations.set(row.conversationId, row);
    this.dirtyConversations.add(row.conversationId);
  }

  setSubscribed(conversationId: string, userId: string, subscribed: boolean): void {
    const key = pairKey(conversationId, userId);
    if (subscribed) this.unsubscribed.delete(key);
    else this.unsubscribed.add(key);
    this.subscriptionChanges.set(key, subscribed);
  }

  async flush(trx: SchemalessTransaction): Promise<void> {
    const tx = trx as Transaction<NotificationsDatabase>;
    await insertRows(
      tx,
      'notifier_users',
      ['user_id', 'name', 'short_name'],
      [...this.dirtyUsers].map((id) => {
        const u = this.users.get(id)!;
        return [u.userId, u.name, u.shortName];
      }),
      {
        onConflict: {
          columns: ['user_id'],
          update: { name: 'excluded.name', short_name: 'excluded.short_name' },
        },
      },
    );
    const channelColumns = [
      'channel_id',
      'user_id',
      'type',
      'address',
      'address_key',
      'workflow_state',
      'bounce_count',
    ];
    await insertRows(
      tx,
      'notifier_channels',
      channelColumns,
      [...this.dirtyChannels].map((id) => {
        const c = this.channels.get(id)!;
        return [
          c.channelId,
          c.userId,
          c.type,
          c.address,
          c.addressKey,
          c.workflowState,
          c.bounceCount,
        ];
      }),
      {
        onConflict: {
          columns: ['channel_id'],
          update: Object.fromEntries(
            channelColumns.slice(1).map((column) => [column, `excluded.${column}`]),
          ),
        },
      },
    );
    await insertRows(
      tx,
      'notifier_conversations',
      ['conversation_id', 'subject', 'context_code'],
      [...this.dirtyConversations].map((id) => {
        const c = this.conversations.get(id)!;
        return [c.conversationId, c.subject, c.contextCode];
      }),
      {
        onConflict: {
          columns: ['conversation_id'],
          update: { subject: 'excluded.subject', context_code: 'excluded.context_code' },
        },
      },
    );
    await insertRows(
      tx,
      'notifier_conversation_starters',
      ['conversation_id', 'user_id'],
      [...this.dirtyConversations]
        .map((id) => this.conversations.get(id)!)
        .filter((c) => c.authorId !== undefined)
        .map((c) => [c.conversationId, c.authorId]),
      { onConflict: { columns: ['conversation_id'] } },
    );
    const muted: string[][] = [];
    for (const [key, subscribed] of this.subscriptionChanges) {
      const [conversationId, userId] = key.split(':') as [string, string];
      if (subscribed) {
        await tx
          .deleteFrom('notifier_unsubscribed')
          .where('conversation_id', '=', conversationId)
          .where('user_id', '=', userId)
          .execute();
      } else {
        muted.push([conversationId, userId]);
      }
    }
    await insertRows(tx, 'notifier_unsubscribed', ['conversation_id', 'user_id'], muted, {
      onConflict: { columns: ['conversation_id', 'user_id'] },
    });
  }

  private remember(row: ChannelRow, index: { byUser?: boolean; byAddress?: boolean }): void {
    const previous = this.channels.get(row.channelId);
    this.channels.set(row.channelId, row);
    if (index.byUser) this.channelIdsByUser.get(row.userId)?.add(row.channelId);
    if (index.byAddress) {
      if (previous && previous.addressKey !== row.addressKey) {
        this.channelIdsByAddress.get(previous.addressKey)?.delete(row.channelId);
      }
      this.channelIdsByAddress.get(row.addressKey)?.add(row.channelId);
    }
  }
}

function channelRowOf(c: NotificationsDatabase['notifier_channels']): ChannelRow {
  return {
    channelId: c.channel_id,
    userId: c.user_id,
    type: c.type,
    address: c.address,
    addressKey: c.address_key,
    workflowState: c.workflow_state,
    bounceCount: Number(c.bounce_count),
  };
}

function pairKey(conversationId: string, userId: string): string {
  return `${conversationId}:${userId}`;
}

function inLists(values: ReadonlySet<string>): string[][] {
  return chunkRows([...values], 1, IN_LIST);
}

function byChannelId(a: ChannelRow, b: ChannelRow): number {
  return a.channelId.length - b.channelId.length || (a.channelId < b.channelId ? -1 : 1);
}
