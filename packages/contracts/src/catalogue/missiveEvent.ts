import type {
  ChannelEvent,
  ConversationBatchEvent,
  ConversationEvent,
  CourseEvent,
  GroupEvent,
  MessageOperationEvent,
  OutboundEvent,
  ParticipantViewEvent,
  ProgressEvent,
  UserEvent,
} from '@missive/domain';

/** Every aggregate event a subscriber can receive, as a discriminated union on `type`. */
export type MissiveEvent =
  | UserEvent
  | CourseEvent
  | GroupEvent
  | ConversationEvent
  | ParticipantViewEvent
  | ConversationBatchEvent
  | ProgressEvent
  | ChannelEvent
  | OutboundEvent
  | MessageOperationEvent;

export type MissiveEventType = MissiveEvent['type'];

/** The payload of one event type. */
export type MissiveEventData<T extends MissiveEventType> = Extract<
  MissiveEvent,
  { type: T }
>['data'];
