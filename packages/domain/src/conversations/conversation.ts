import { grownSet } from '../shared/grow';
import { DomainError } from '../shared/domainError';
import type {
  ConversationEvent,
  ConversationStarted,
  MediaComment,
  MessageAdded,
  RecipientsAdded,
} from './conversationEvents';

export interface ConversationState {
  readonly conversationId: string;
  readonly participantIds: ReadonlySet<string>;
  readonly privateHash: string | null;
  readonly subject: string | null;
  readonly contextCode: string | null;
  readonly messageIds: ReadonlySet<string>;
}

/** Most recipients a group conversation may have, unless configured otherwise. */
export const MAX_GROUP_CONVERSATION_SIZE = 100;
export const MAX_SUBJECT_LENGTH = 255;
/** Message bodies are capped at 64 KB. */
export const MAX_BODY_LENGTH = 64 * 1024;

export function evolveConversation(
  state: ConversationState | null,
  event: ConversationEvent,
): ConversationState | null {
  switch (event.type) {
    case 'ConversationStarted':
      return {
        conversationId: event.data.conversationId,
        participantIds: new Set(event.data.participantIds),
        privateHash: event.data.privateHash,
        subject: event.data.subject,
        contextCode: event.data.contextCode,
        messageIds: new Set(),
      };
    case 'MessageAdded':
      if (!state) return state;
      return { ...state, messageIds: grownSet(state.messageIds, event.data.messageId) };
    case 'RecipientsAdded':
      if (!state) return state;
      return {
        ...state,
        participantIds: grownSet(state.participantIds, ...event.data.userIds),
      };
  }
}

interface NewMessage {
  messageId: string;
  /** Context tags per recipient, worked out by the caller from the directory. */
  tags?: Record<string, string[]>;
  body: string;
  createdAt: string;
  attachmentIds?: string[];
  mediaComment?: MediaComment | null;
  forwardedMessageIds?: string[];
}

export interface StartConversation extends NewMessage {
  conversationId: string;
  authorId: string;
  /** Resolved, messageable recipients; the author may appear only in a monologue. */
  recipientIds: string[];
  subject?: string | null;
  privateHash: string | null;
  contextCode?: string | null;
}

function checkBody(body: string, attribute: string, message: string): void {
  if (!body.trim()) throw new DomainError('invalid', attribute, message, 'blank');
  if (body.length > MAX_BODY_LENGTH)
    throw new DomainError('invalid', 'body', 'too long', 'too_long');
}

function messageAdded(
  conversationId: string,
  authorId: string,
  recipientIds: string[],
  msg: NewMessage,
  updateForSender: boolean,
): MessageAdded {
  return {
    type: 'MessageAdded',
    data: {
      conversationId,
      messageId: msg.messageId,
      authorId,
      body: msg.body,
      createdAt: msg.createdAt,
      recipientIds,
      generated: false,
      attachmentIds: msg.attachmentIds ?? [],
      mediaComment: msg.mediaComment ?? null,
      forwardedMessageIds: msg.forwardedMessageIds ?? [],
      ...(msg.tags && Object.keys(msg.tags).length > 0
        ? { tags: pick(msg.tags, recipientIds) }
        : {}),
      updateForSender,
    },
  };
}

/** Only the tags of users the message reaches. */
function pick(
  tags: Record<string, string[]>,
  userIds: readonly string[],
): Record<string, string[]> {
  return Object.fromEntries(userIds.filter((id) => tags[id]?.length).map((id) => [id, tags[id]!]));
}

/** Checks run in the order clients see their errors: recipients, body, then size; subject length last. */
export function startConversation(
  state: ConversationState | null,
  cmd: StartConversation,
): [ConversationStarted, MessageAdded] {
  if (state) throw new DomainError('conflict', 'conversation', 'conversation already exists');
  const recipients = [...new Set(cmd.recipientIds)];
  if (recipients.length === 0) throw new DomainError('invalid', 'recipients', 'blank');
  checkBody(cmd.body, 'body', 'blank');
  if (recipients.length > MAX_GROUP_CONVERSATION_SIZE) {
    throw new DomainError('invalid', 'recipients', 'too many for group conversation', 'too_many');
  }
  const subject = cmd.subject?.trim() ? cmd.subject : null;
  if (subject && subject.length > MAX_SUBJECT_LENGTH) {
    throw new DomainError('invalid', 'subject', 'too long', 'too_long');
  }
  const participantIds = [cmd.authorId, ...recipients.filter((id) => id !== cmd.authorId)];
  return [
    {
      type: 'ConversationStarted',
      data: {
        conversationId: cmd.conversationId,
        authorId: cmd.authorId,
        participantIds,
        subject,
        privateHash: cmd.privateHash,
        contextCode: cmd.contextCode ?? null,
        createdAt: cmd.createdAt,
      },
    },
    messageAdded(cmd.conversationId, cmd.authorId, participantIds, cmd, false),
  ];
}

export interface AddMessage extends NewMessage {
  authorId: string;
  /** Participants to reach; all participants when absent or empty. */
  recipientIds?: string[];
  /** False on the POST /conversations path that reuses a private conversation. */
  updateForSender: boolean;
}

export function addMessage(
  state: ConversationState | null,
  cmd: AddMessage,
): (RecipientsAdded | MessageAdded)[] {
  if (!state)
    throw new DomainError('not_found', 'conversation', 'The specified resource does not exist.');
  if (!state.participantIds.has(cmd.authorId)) {
    throw new DomainError('forbidden', 'conversation', 'not a participant');
  }
  if (state.messageIds.has(cmd.messageId)) return [];
  checkBody(cmd.body, 'empty_message', 'Unable to create message without a body');
  // included_messages: only messages of this conversation may be forwarded into it.
  if ((cmd.forwardedMessageIds ?? []).some((id) => !state.messageIds.has(id))) {
    throw new DomainError('invalid', 'included_messages', 'not for this conversation');
  }
  if (!cmd.recipientIds || cmd.recipientIds.length === 0) {
    return [
      messageAdded(
        state.conversationId,
        cmd.authorId,
        [...state.participantIds],
        cmd,
        cmd.updateForSender,
      ),
    ];
  }
  // Named recipients: the message reaches only them and the author. On a group conversation,
  // named users who are not in it yet join silently first; a private one never grows.
  const outsiders = [...new Set(cmd.recipientIds)].filter((id) => !state.participantIds.has(id));
  if (outsiders.length > 0 && state.privateHash !== null) {
    throw new DomainError('invalid', 'recipients', 'invalid');
  }
  if (state.participantIds.size + outsiders.length > MAX_GROUP_CONVERSATION_SIZE + 1) {
    throw new DomainError(
      'invalid',
      'recipients',
      'Too many participants for group conversation',
      'too_many',
    );
  }
  const wanted = new Set([cmd.authorId, ...cmd.recipientIds]);
  const recipients = [...state.participantIds, ...outsiders].filter((id) => wanted.has(id));
  const message = messageAdded(
    state.conversationId,
    cmd.authorId,
    recipients,
    cmd,
    cmd.updateForSender,
  );
  if (outsiders.length === 0) return [message];
  return [
    {
      type: 'RecipientsAdded',
      data: {
        conversationId: state.conversationId,
        addedBy: cmd.authorId,
        userIds: outsiders,
        withHistory: false,
        at: cmd.createdAt,
      },
    },
    message,
  ];
}

export interface AddRecipients {
  addedBy: string;
  /** Resolved, messageable users; current participants among them are ignored. */
  userIds: string[];
  messageId: string;
  /** The generated "X was added to the conversation by Y" text (names come from the directory). */
  text: (addedIds: string[]) => string;
  at: string;
}

/**
 * add_recipients: private conversations never grow; nobody new is a 400 `{}`;
 * more than the group limit plus the author is refused. New participants get every earlier
 * message; a generated message announces them and counts toward nothing.
 */
export function addRecipients(
  state: ConversationState | null,
  cmd: AddRecipients,
): [RecipientsAdded, MessageAdded] | [] {
  if (!state)
    throw new DomainError('not_found', 'conversation', 'The specified resource does not exist.');
  if (!state.participantIds.has(cmd.addedBy))
    throw new DomainError('forbidden', 'conversation', 'not a participant');
  if (state.privateHash !== null) {
    throw new DomainError(
      'invalid',
      'recipients',
      'Cannot add participants to a private conversation',
    );
  }
  const added = [...new Set(cmd.userIds)].filter((id) => !state.participantIds.has(id));
  if (added.length === 0) throw new DomainError('invalid', 'recipients', 'none', 'empty');
  if (state.participantIds.size + added.length > MAX_GROUP_CONVERSATION_SIZE + 1) {
    throw new DomainError(
      'invalid',
      'recipients',
      'Too many participants for group conversation',
      'too_many',
    );
  }
  const everyone = [...state.participantIds, ...added];
  return [
    {
      type: 'RecipientsAdded',
      data: {
        conversationId: state.conversationId,
        addedBy: cmd.addedBy,
        userIds: added,
        withHistory: true,
        at: cmd.at,
      },
    },
    {
      type: 'MessageAdded',
      data: {
        conversationId: state.conversationId,
        messageId: cmd.messageId,
        authorId: cmd.addedBy,
        body: cmd.text(added),
        createdAt: cmd.at,
        recipientIds: everyone,
        generated: true,
        attachmentIds: [],
        mediaComment: null,
        forwardedMessageIds: [],
        updateForSender: false,
      },
    },
  ];
}

/** Names joined as a sentence: "a", "a and b", "a, b, and c". */
export function toSentence(items: readonly string[]): string {
  // Stryker disable next-line StringLiteral: a list of at most one item joins to the same text whatever the separator
  if (items.length <= 1) return items.join('');
  if (items.length === 2) return `${items[0]} and ${items[1]}`;
  return `${items.slice(0, -1).join(', ')}, and ${items[items.length - 1]}`;
}

/** The generated "X was added to the conversation by Y" text, names in user-id order. */
export function recipientsAddedText(names: readonly string[], addedByName: string): string {
  return `${toSentence(names)} ${names.length === 1 ? 'was' : 'were'} added to the conversation by ${addedByName}`;
}
