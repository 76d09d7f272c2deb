import type { WorkflowState } from './conversationsTables';

// What the conversations read model answers: plain objects, ids as decimal strings.

export interface ParticipantView {
  id: string;
  name: string;
  shortName: string;
  lastAuthoredAt: string | null;
}

export interface MessageView {
  id: string;
  conversationId: string;
  authorId: string;
  body: string;
  createdAt: string;
  generated: boolean;
  attachmentIds: string[];
  mediaComment: { mediaId: string; mediaType: string } | null;
  forwardedMessageIds: string[];
  participatingUserIds: string[];
}

/**
 * What a list item shows of a message: who wrote it and the start of its text
 * (`messagePreview`: enough for Canvas's cut to 100 characters).
 */
export type MessagePreview = Pick<MessageView, 'id' | 'authorId' | 'body'>;

/** One participant's view of a conversation: everything the Canvas JSON needs. */
export interface ConversationView {
  id: string;
  userId: string;
  subject: string | null;
  workflowState: WorkflowState;
  lastMessageAt: string | null;
  lastMessage: MessagePreview | null;
  messageCount: number;
  lastAuthoredAt: string | null;
  lastAuthoredMessage: MessagePreview | null;
  subscribed: boolean;
  starred: boolean;
  private: boolean;
  hasAttachments: boolean;
  hasMediaObjects: boolean;
  contextCode: string | null;
  participants: ParticipantView[];
  /** The viewer's context tags on this conversation (`course_5`, `group_9`). */
  tags: string[];
}

/** Canvas's `filter[]`: `course_N`, `group_N`, `section_N` (tags) or `user_N` (a participant). */
export interface ConversationFilter {
  values: string[];
  mode: 'and' | 'or';
}

export interface Page<T> {
  items: T[];
  total: number;
}
