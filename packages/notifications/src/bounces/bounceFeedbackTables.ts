import type { SchemalessDb } from '@missive/read-models';
import {
  migrateNotificationsTables,
  type NotificationsDatabase,
} from '../notifications/notificationsTables';

/** Which channel each Canvas outbound message went to (bounce and sent events do not say). */
export interface NotifierOutboundChannelsTable {
  outbound_id: string;
  channel_id: string;
}

/**
 * Channels whose bounce count may be above zero: a sent message then checks the channel's
 * stream to reset it. Channels not listed are known to be at zero, which spares a stream read
 * for almost every sent message.
 */
export interface NotifierBouncingChannelsTable {
  channel_id: string;
}

/**
 * Its own tables, and the notifications process manager's `notifier_channels` (read only: the
 * email channels that share a bounced address).
 */
export interface BounceFeedbackDatabase extends Pick<NotificationsDatabase, 'notifier_channels'> {
  notifier_outbound_channels: NotifierOutboundChannelsTable;
  notifier_bouncing_channels: NotifierBouncingChannelsTable;
}

export async function migrateBounceFeedbackTables(db: SchemalessDb): Promise<void> {
  await db.schema
    .createTable('notifier_outbound_channels')
    .ifNotExists()
    .addColumn('outbound_id', 'text', (c) => c.primaryKey())
    .addColumn('channel_id', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('notifier_bouncing_channels')
    .ifNotExists()
    .addColumn('channel_id', 'text', (c) => c.primaryKey())
    .execute();
  // Read here, written by the notifications process manager: present even if it never ran.
  await migrateNotificationsTables(db);
}
