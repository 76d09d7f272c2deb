import type { DomainEvent } from '../shared/domainEvent';

export type ConversationStarted = DomainEvent<
  'ConversationStarted',
  {
    conversationId: string;
    authorId: string;
    /** Everyone in the conversation, author included, in the order they were named. */
    participantIds: string[];
    subject: string | null;
    /** Canvas's private_hash: set for private (two-party) conversations, which are reused. */
    privateHash: string | null;
    contextCode: string | null;
    createdAt: string;
  }
>;

export interface MediaComment {
  mediaId: string;
  mediaType: string;
}

export type MessageAdded = DomainEvent<
  'MessageAdded',
  {
    conversationId: string;
    messageId: string;
    authorId: string;
    body: string;
    createdAt: string;
    /** Participants who receive this message, author included. */
    recipientIds: string[];
    /** System text such as "X was added to the conversation by Y". */
    generated: boolean;
    attachmentIds: string[];
    mediaComment: MediaComment | null;
    forwardedMessageIds: string[];
    /**
     * Canvas's context tags per recipient (`course_5`, `group_9`): the contexts the author
     * shares with that recipient, plus the conversation's context. Filters and
     * `audience_contexts` read them. Absent in events written before tags existed: read as {}.
     */
    tags?: Record<string, string[]>;
    /**
     * False when the message came from POST /conversations: Canvas then leaves the author's
     * own inbox row alone (no last_message_at bump, archived stays archived); true on replies.
     */
    updateForSender: boolean;
  }
>;

/**
 * New participants join. Through add_recipients they receive copies of every
 * earlier message (`withHistory`); named in an add_message they join silently, without them.
 */
export type RecipientsAdded = DomainEvent<
  'RecipientsAdded',
  { conversationId: string; addedBy: string; userIds: string[]; withHistory: boolean; at: string }
>;

export type ConversationEvent = ConversationStarted | MessageAdded | RecipientsAdded;

/** Reserves a private-conversation hash for one conversation, so concurrent creates reuse it. */
export type PrivateConversationClaimed = DomainEvent<
  'PrivateConversationClaimed',
  { privateHash: string; conversationId: string }
>;
