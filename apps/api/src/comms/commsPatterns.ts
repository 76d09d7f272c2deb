/** The Comms API's documented formats (ids, phone numbers, times), anchored at both ends. */
export const E164 = /^\+[1-9]\d{1,14}$/;
export const OPERATION_ID = /^comms_operation_[0-7][a-hjkmnpqrstv-z0-9]{25,34}$/;
export const MESSAGE_ID = /^comms_message_[0-7][a-hjkmnpqrstv-z0-9]{25,34}$/;
export const SESSION_ID = /^comms_session_[a-hjkmnpqrstv-z0-9]{26,34}$/;
export const PROFILE_ID = /^mem_profile_[0-7][a-hjkmnpqrstv-z0-9]{25,34}$/;
export const MEMORY_STORE_ID = /^mem_store_[0-7][a-hjkmnpqrstv-z0-9]{25,34}$/;
export const CONTENT_ID = /^HX[a-zA-Z0-9]{26,34}$/;
export const TAGS_FILTER = /^(?:[a-zA-Z0-9._~-]+:[a-zA-Z0-9._~-]+;){1,10}$/;

export const MESSAGE_PREFIX = 'comms_message_';
export const OPERATION_PREFIX = 'comms_operation_';

export const RECIPIENT_CHANNELS = ['PHONE', 'WHATSAPP'] as const;
export const SENDER_CHANNELS = ['SMS', 'RCS', 'WHATSAPP'] as const;
export const MESSAGE_STATUSES = [
  'QUEUED',
  'SENT',
  'SCHEDULED',
  'DELIVERED',
  'READ',
  'FAILED',
  'UNDELIVERED',
  'CANCELED',
  'GROUP',
  'INBOUND',
] as const;
export const OPERATION_STATUSES = ['SCHEDULED', 'PROCESSING', 'COMPLETED', 'CANCELED'] as const;
