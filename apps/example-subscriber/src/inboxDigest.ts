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
  constructor(
    readonly users: Record<string, DigestEntry> = {},
    /** Users whose data was erased: their entry is gone and none is started for them again. */
    readonly erased: string[] = [],
  ) {}

  apply(event: Pick<MissiveCloudEvent, 'type' | 'data'>): void {
    if (event.type === 'com.missive.UserErased') {
      // Missive has forgotten this person; a subscriber's copies must go too.
      const { userId } = event.data as MissiveEventData<'UserErased'>;
      delete this.users[userId];
      if (!this.erased.includes(userId)) this.erased.push(userId);
    } else if (event.type === 'com.missive.MessageAdded') {
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
    const entry = this.entry(userId, conversationId);
    if (entry) entry.messagesReceived += 1;
  }

  private entry(userId: string, conversationId: string): DigestEntry | undefined {
    if (this.erased.includes(userId)) return undefined;
    const entry = (this.users[userId] ??= { messagesReceived: 0, conversations: [] });
    if (!entry.conversations.includes(conversationId)) entry.conversations.push(conversationId);
    return entry;
  }
}

/** The event types the digest needs: ask the feed for these only. */
export const DIGEST_EVENT_TYPES = ['MessageAdded', 'RecipientsAdded', 'UserErased'] as const;
