import type { EventStore } from '@missive/event-store';
import type { PersonalDataPolicy, ProtectedField } from './personalDataPolicy';
import { protectEventStore, type ProtectedEventStore } from './protectedEventStore';

/**
 * What shows in place of a value whose subject was erased. Text fields keep their type so
 * every reader (projections, the feed, subscribers) goes on working unchanged.
 */
export const ERASED_PLACEHOLDERS = {
  name: 'Deleted user',
  loginId: 'deleted-user',
  address: 'deleted@invalid',
  text: '[deleted]',
} as const;

type Data = Record<string, unknown>;

const user =
  (idField: string) =>
  (_holder: Data, data: Data): string =>
    `user:${String(data[idField])}`;

const field = (path: string, subject: ProtectedField['subject'], placeholder: unknown) => ({
  path,
  subject,
  placeholder,
});

/** The key of a Comms message's text, addresses and media: deleted when its retention ends. */
export const commsMessageSubject = (outboundId: string): string => `outbound:${outboundId}`;

/** The key of a Comms operation's text, variables and recipients: deleted with its retention. */
export const commsOperationSubject = (operationId: string): string => `operation:${operationId}`;

/**
 * A Canvas notification, confirmation or CommMessage is its recipient's record (it goes with
 * the recipient's erasure), even where it quotes what another user wrote; a Comms message is
 * its own subject, erased when its retention ends.
 */
const outboundSubject = (_holder: Data, data: Data): string =>
  data.kind !== 'comms' && typeof data.userId === 'string'
    ? `user:${data.userId}`
    : commsMessageSubject(String(data.outboundId));

const operation = (_holder: Data, data: Data): string =>
  commsOperationSubject(String(data.operationId));

/** Every event field of Missive's catalogue that holds personal data, and whose it is. */
export const missivePersonalData: PersonalDataPolicy = new Map<string, readonly ProtectedField[]>([
  [
    'UserRegistered',
    [
      field('name', user('userId'), ERASED_PLACEHOLDERS.name),
      field('shortName', user('userId'), ERASED_PLACEHOLDERS.name),
      field('sortableName', user('userId'), ERASED_PLACEHOLDERS.name),
      field('loginId', user('userId'), ERASED_PLACEHOLDERS.loginId),
    ],
  ],
  ['LoginClaimed', [field('loginId', user('userId'), ERASED_PLACEHOLDERS.loginId)]],
  ['ChannelAdded', [field('address', user('userId'), ERASED_PLACEHOLDERS.address)]],
  ['ChannelAddressClaimed', [field('address', user('userId'), ERASED_PLACEHOLDERS.address)]],
  ['ConversationStarted', [field('subject', user('authorId'), ERASED_PLACEHOLDERS.text)]],
  ['MessageAdded', [field('body', user('authorId'), ERASED_PLACEHOLDERS.text)]],
  [
    'ConversationBatchStarted',
    [
      field('subject', user('userId'), ERASED_PLACEHOLDERS.text),
      field('body', user('userId'), ERASED_PLACEHOLDERS.text),
    ],
  ],
  [
    'OutboundMessageCreated',
    [
      field('to', outboundSubject, ERASED_PLACEHOLDERS.address),
      field('subject', outboundSubject, ERASED_PLACEHOLDERS.text),
      field('body', outboundSubject, ERASED_PLACEHOLDERS.text),
      field('htmlBody', outboundSubject, ERASED_PLACEHOLDERS.text),
      field('media', outboundSubject, []),
    ],
  ],
  [
    'MessageOperationCreated',
    [
      field('fanOut.text', operation, ERASED_PLACEHOLDERS.text),
      field('fanOut.media', operation, []),
      field('fanOut.messages', operation, []),
    ],
  ],
  ['MessageOperationFanOutPart', [field('messages', operation, [])]],
]);

/** The fields the policy protects, by event type, as dotted paths (for the event catalogue). */
export function protectedPathsOf(type: string): string[] {
  return (missivePersonalData.get(type) ?? []).map((f) => f.path);
}

/** The events that announce an erasure, and whose. */
export const missiveErasures: ReadonlyMap<string, (data: Record<string, unknown>) => string> =
  new Map([['UserErased', (data: Record<string, unknown>) => `user:${String(data.userId)}`]]);

/** Missive's event store with its personal data sealed under the keys at `keyStoreUrl`. */
export function protectMissiveEventStore(
  inner: EventStore,
  keyStoreUrl: string,
): ProtectedEventStore {
  return protectEventStore(inner, keyStoreUrl, missivePersonalData, { erasures: missiveErasures });
}
