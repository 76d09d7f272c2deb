import type {
  ConversationScope,
  ConversationView,
  MessageView,
  ParticipantView,
} from '@missive/read-models';
import { canvasTime } from '../http/canvasTime';
import { truncateText } from './truncateText';

const collator = new Intl.Collator('und', { sensitivity: 'base', numeric: true });

/** Canvas's participant order: most recent author first (never-authored last), then by name. */
export function orderParticipants(participants: readonly ParticipantView[]): ParticipantView[] {
  return [...participants].sort((a, b) => {
    if (a.lastAuthoredAt !== b.lastAuthoredAt) {
      if (a.lastAuthoredAt === null) return 1;
      if (b.lastAuthoredAt === null) return -1;
      return a.lastAuthoredAt < b.lastAuthoredAt ? 1 : -1;
    }
    return (
      collator.compare(a.shortName || a.name, b.shortName || b.name) || Number(a.id) - Number(b.id)
    );
  });
}

/** Media hosting is out of scope: the id the client gave, and where Canvas would serve it. */
function mediaCommentJson(media: MessageView['mediaComment'], baseUrl: string) {
  if (!media) return null;
  return {
    'content-type': media.mediaType === 'audio' ? 'audio/mp4' : 'video/mp4',
    display_name: null,
    media_id: media.mediaId,
    media_type: media.mediaType,
    url: `${baseUrl}/users/self/media_download?entryId=${encodeURIComponent(media.mediaId)}&type=mp4`,
  };
}

const MAX_FORWARD_DEPTH = 5;

export function messageJson(
  message: MessageView,
  baseUrl = '',
  forwarded: ReadonlyMap<string, MessageView> = new Map(),
  depth = 0,
): Record<string, unknown> {
  return {
    id: Number(message.id),
    created_at: canvasTime(message.createdAt),
    body: message.body,
    author_id: Number(message.authorId),
    generated: message.generated,
    media_comment: mediaCommentJson(message.mediaComment, baseUrl),
    forwarded_messages:
      depth >= MAX_FORWARD_DEPTH
        ? []
        : message.forwardedMessageIds
            .map((id) => forwarded.get(id))
            .filter((m): m is MessageView => m !== undefined)
            .map((m) => messageJson(m, baseUrl, forwarded, depth + 1)),
    attachments: [],
    participating_user_ids: message.participatingUserIds.map(Number),
  };
}

/** The courses (enrollment types) and groups a participant shares with the viewer. */
export interface CommonContexts {
  courses: Record<string, string[]>;
  groups: Record<string, string[]>;
}

export interface ConversationJsonOptions {
  visible: boolean;
  baseUrl: string;
  /** Canvas's include_participant_avatars: each participant's `avatar_url`. */
  avatars?: boolean;
  /**
   * Canvas's include_participant_contexts: each participant's `common_courses` and
   * `common_groups`, from the viewer's address book, keyed by participant id.
   */
  participantContexts?: ReadonlyMap<string, CommonContexts>;
  messages?: MessageView[];
  audienceContexts?: { courses: Record<string, string[]>; groups: Record<string, string[]> };
  contextName?: string | null;
  /** Messages that `messages` forward (included_messages), by id, for `forwarded_messages`. */
  forwarded?: ReadonlyMap<string, MessageView>;
  /** The show endpoint's extras: `submissions` and `context_name`. */
  detailed?: boolean;
  /** The index's `context_name`, appended after everything else as Canvas's index does. */
  listContextName?: boolean;
}

/** The Conversation object of the seed page, with fields in Canvas's order. */
export function conversationJson(view: ConversationView, options: ConversationJsonOptions) {
  const participants = orderParticipants(view.participants);
  const others = participants.filter((p) => p.id !== view.userId);
  const audience = others.length > 0 ? others : participants;
  const lead = view.lastMessage ?? view.lastAuthoredMessage;
  const properties: string[] = [];
  if (lead && lead.authorId === view.userId) properties.push('last_author');
  if (view.hasAttachments) properties.push('attachments');
  if (view.hasMediaObjects) properties.push('media_objects');
  const avatar = (kind: string) => `${options.baseUrl}/images/messages/${kind}-50.png`;

  return {
    id: Number(view.id),
    subject: view.subject,
    workflow_state: view.workflowState,
    last_message: view.lastMessage ? truncateText(view.lastMessage.body) : null,
    last_message_at: canvasTime(view.lastMessageAt),
    last_authored_message: view.lastAuthoredMessage
      ? truncateText(view.lastAuthoredMessage.body)
      : null,
    last_authored_message_at: canvasTime(view.lastAuthoredAt),
    message_count: view.messageCount,
    subscribed: view.subscribed,
    private: view.private,
    starred: view.starred,
    properties,
    audience: audience.map((p) => Number(p.id)),
    audience_contexts: options.audienceContexts ?? { courses: {}, groups: {} },
    avatar_url: avatar(view.private || audience.length === 1 ? 'avatar' : 'avatar-group'),
    participants: participants.map((p) => {
      const common = options.participantContexts?.get(p.id);
      return {
        id: Number(p.id),
        name: p.shortName,
        full_name: p.name,
        ...(options.participantContexts
          ? { common_courses: common?.courses ?? {}, common_groups: common?.groups ?? {} }
          : {}),
        ...(options.avatars ? { avatar_url: avatar('avatar') } : {}),
      };
    }),
    visible: options.visible,
    context_code: view.contextCode,
    ...(options.messages
      ? {
          messages: options.messages.map((m) => messageJson(m, options.baseUrl, options.forwarded)),
        }
      : {}),
    ...(options.detailed ? { submissions: [], context_name: options.contextName ?? null } : {}),
    ...(options.listContextName ? { context_name: options.contextName ?? null } : {}),
  };
}

/**
 * Whether a row belongs to a scope: outside the index, `visible` says whether the
 * conversation is in the scope the request named (default inbox).
 */
export function inScope(view: ConversationView, scope: ConversationScope = 'inbox'): boolean {
  switch (scope) {
    case 'inbox':
      return view.lastMessageAt !== null && view.workflowState !== 'archived';
    case 'unread':
    case 'archived':
      return view.lastMessageAt !== null && view.workflowState === scope;
    case 'sent':
      return view.lastAuthoredAt !== null;
    case 'starred':
      return view.starred;
  }
}
