import { protectedPathsOf } from '@missive/personal-data';

/**
 * Every event type Missive stores, with where it lives and who may rely on it. Public events
 * are the contract with other services (the CloudEvents feed, category subscriptions); internal
 * ones are reservations and secrets that only Missive itself reads, listed so that nothing
 * stored is undocumented.
 */
export interface CatalogueEntry {
  readonly type: string;
  /** Stream category (the part of the stream name before the first `-`). */
  readonly category: string;
  readonly visibility: 'public' | 'internal';
  readonly summary: string;
  /** Version history, oldest first; the last entry is what writers stamp today. */
  readonly versions: readonly { readonly version: number; readonly change: string }[];
  /**
   * Fields that hold personal data (dotted paths, `[]` for each element): sealed in the log
   * with their data subject's key and read as placeholders once that subject is erased.
   */
  readonly personalData: readonly string[];
}

const v1 = [{ version: 1, change: 'First version.' }] as const;

function entry(
  type: string,
  category: string,
  summary: string,
  visibility: 'public' | 'internal' = 'public',
  versions: CatalogueEntry['versions'] = v1,
): CatalogueEntry {
  return { type, category, visibility, summary, versions, personalData: protectedPathsOf(type) };
}

export const eventCatalogue: readonly CatalogueEntry[] = [
  entry('UserRegistered', 'user', 'A user account was created (Canvas user).'),
  entry(
    'AccessTokenIssued',
    'user',
    'An API access token was issued; carries only a hash of the token.',
    'internal',
  ),
  entry('AccessTokenRevoked', 'user', 'An API access token was revoked.', 'internal'),
  entry('LoginClaimed', 'login', 'Reserves a login id for one user.', 'internal'),
  entry(
    'UserErased',
    'user',
    "A user's personal data was erased (their key deleted): sealed fields now read as placeholders; purge any copies.",
  ),
  entry(
    'KeyStoreBound',
    'keystorebinding',
    'Names the key store that holds the keys of the log (its id only).',
    'internal',
  ),
  entry('CourseCreated', 'course', 'A course (messaging context) was created.'),
  entry('UserEnrolled', 'course', 'A user was enrolled in a course.'),
  entry('GroupCreated', 'group', 'A group (messaging context) was created.'),
  entry('GroupMembershipAdded', 'group', 'A user joined a group.'),
  entry('ConversationStarted', 'conversation', 'A conversation began; its first message follows.'),
  entry('MessageAdded', 'conversation', 'A message was added to a conversation.'),
  entry('RecipientsAdded', 'conversation', 'Participants joined a conversation.'),
  entry(
    'PrivateConversationClaimed',
    'privateconversation',
    'Reserves a private-conversation hash for one conversation.',
    'internal',
  ),
  entry('ConversationMarkedAsRead', 'participant', "A participant's view became read."),
  entry('ConversationMarkedAsUnread', 'participant', "A participant's view became unread."),
  entry('ConversationArchived', 'participant', 'A participant archived the conversation.'),
  entry('ConversationStarred', 'participant', 'A participant starred the conversation.'),
  entry('ConversationUnstarred', 'participant', 'A participant unstarred the conversation.'),
  entry('ConversationSubscribed', 'participant', 'A participant subscribed again.'),
  entry('ConversationUnsubscribed', 'participant', 'A participant unsubscribed.'),
  entry('ConversationViewDeleted', 'participant', 'A participant deleted their view (DELETE).'),
  entry('MessagesRemoved', 'participant', "Messages were removed from a participant's view."),
  entry('ConversationBatchStarted', 'conversationbatch', 'An async bulk send began.'),
  entry(
    'ConversationBatchClaimed',
    'conversationbatch',
    'A job runner took or renewed the lease on an async bulk send.',
  ),
  entry(
    'ConversationBatchStepPlanned',
    'conversationbatch',
    "The ids of an async bulk send's next conversations and messages were fixed.",
  ),
  entry(
    'ConversationBatchAdvanced',
    'conversationbatch',
    'Some recipients of an async bulk send got their message.',
  ),
  entry('ConversationBatchFinished', 'conversationbatch', 'An async bulk send finished.'),
  entry('ProgressQueued', 'progress', 'A background job (Canvas Progress) was queued.'),
  entry(
    'ProgressClaimed',
    'progress',
    'A job runner took or renewed the lease on a background job.',
  ),
  entry('ProgressAdvanced', 'progress', 'A step of a background job was done (its completion).'),
  entry('ProgressCompleted', 'progress', 'A background job finished.'),
  entry('ChannelAdded', 'channel', 'A communication channel was added.'),
  entry('ChannelRevived', 'channel', 'A retired channel was re-created (bounces cleared).'),
  entry('ChannelConfirmed', 'channel', 'A channel was confirmed with its code.'),
  entry('ChannelRemoved', 'channel', 'A channel was retired.'),
  entry('ChannelBounced', 'channel', 'A permanent bounce was counted against a channel.'),
  entry('ChannelBounceReset', 'channel', "A channel's bounce count was cleared."),
  entry(
    'ChannelAddressClaimed',
    'channeladdress',
    'Reserves a user/type/address for one channel.',
    'internal',
  ),
  entry('OutboundMessageCreated', 'outbound', 'An outbound message (email, SMS, ...) was created.'),
  entry('OutboundMessageQueued', 'outbound', "A scheduled message's time came: it is queued."),
  entry('OutboundDispatchStarted', 'outbound', 'A delivery attempt started.'),
  entry('OutboundMessageSent', 'outbound', 'The next hop accepted the message.'),
  entry('OutboundAttemptFailed', 'outbound', 'A delivery attempt failed (retried or final).'),
  entry('OutboundMessageBounced', 'outbound', 'The address bounced permanently.'),
  entry('OutboundMessageDelivered', 'outbound', 'A provider confirmed delivery.'),
  entry('OutboundMessageUndelivered', 'outbound', 'A provider reported non-delivery.'),
  entry('OutboundMessageCancelled', 'outbound', 'The message was cancelled before sending.'),
  entry('MessageOperationCreated', 'operation', 'A Comms send request was accepted.'),
  entry(
    'MessageOperationClaimed',
    'operation',
    "A job runner took or renewed the lease on a Comms operation's fan-out.",
  ),
  entry(
    'MessageOperationProcessed',
    'operation',
    'Every message of a Comms operation exists (processing done, not delivery).',
  ),
  entry(
    'MessageOperationFanOutPart',
    'operationfanout',
    'Part of the messages a large Comms send will create, written before its operation.',
    'internal',
  ),
];

const byType = new Map(eventCatalogue.map((e) => [e.type, e]));

export function catalogueEntry(type: string): CatalogueEntry | undefined {
  return byType.get(type);
}

/** The version writers stamp in `schemaVersion` for this type (1 for unknown types). */
export function currentVersionOf(type: string): number {
  const versions = byType.get(type)?.versions;
  return versions ? versions[versions.length - 1]!.version : 1;
}
