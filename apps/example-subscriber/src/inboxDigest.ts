import type { MissiveCloudEvent, MissiveEventData } from '@missive/contracts';

export interface DigestEntry {
  messagesReceived: number;
  conversations: string[];
}

/**
 * What this example service keeps: per user, how many conversation messages reached them and
 * in which conversations. Another team would keep whatever their feature needs; the point is
 * that it is built only from the public events, with no access to Missive's database.
 */
export class InboxDigest {
  constructor(readonly users: Record<string, DigestEntry> = {}) {}

  apply(event: Pick<MissiveCloudEvent, 'type' | 'data'>): void {
    if (event.type === 'com.missive.MessageAdded') {
      const data = event.data as MissiveEventData<'MessageAdded'>;
      for (const userId of data.recipientIds) {
        if (userId === data.authorId) continue;
        this.received(userId, data.conversationId);
      }
    } else if (event.type === 'com.missive.RecipientsAdded') {
      const data = event.data as MissiveEventData<'RecipientsAdded'>;
      for (const userId of data.userIds) this.entry(userId, data.conversationId);
    }
  }

  private received(userId: string, conversationId: string): void {
    this.entry(userId, conversationId).messagesReceived += 1;
  }

  private entry(userId: string, conversationId: string): DigestEntry {
    const entry = (this.users[userId] ??= { messagesReceived: 0, conversations: [] });
    if (!entry.conversations.includes(conversationId)) entry.conversations.push(conversationId);
    return entry;
  }
}

/** The event types the digest needs: ask the feed for these only. */
export const DIGEST_EVENT_TYPES = ['MessageAdded', 'RecipientsAdded'] as const;
