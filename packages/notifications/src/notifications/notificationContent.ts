/**
 * The words of the notifications. Canvas renders its own templates (with links into Canvas);
 * Missive has no web UI to link to, so its messages are plain text and link-free.
 */

/** Canvas shows a conversation without a subject as "(No subject)". */
export const NO_SUBJECT = '(No subject)';

export function subjectOf(subject: string | null | undefined): string {
  const trimmed = subject?.trim();
  return trimmed ? trimmed : NO_SUBJECT;
}

export function conversationMessageContent(input: {
  subject: string | null | undefined;
  authorName: string;
  body: string;
}): { subject: string; body: string } {
  const subject = subjectOf(input.subject);
  return {
    subject,
    body: [
      input.body,
      '',
      '--',
      `${input.authorName} wrote this in the conversation "${subject}".`,
      'You receive it because you take part in that conversation; reply from your inbox.',
    ].join('\n'),
  };
}

export function addedToConversationContent(input: {
  subject: string | null | undefined;
  addedByName: string;
}): { subject: string; body: string } {
  const subject = subjectOf(input.subject);
  return {
    subject: `You were added to the conversation "${subject}"`,
    body: [
      `${input.addedByName} added you to the conversation "${subject}".`,
      'Its earlier messages are now in your inbox.',
    ].join('\n'),
  };
}

export function channelConfirmationContent(input: {
  serviceName: string;
  address: string;
  code: string;
  userId: string;
  channelId: string;
}): { subject: string; body: string } {
  return {
    subject: `Confirm Email: ${input.serviceName}`,
    body: [
      `Please confirm ${input.address} as a way to receive notifications from ${input.serviceName}.`,
      '',
      `Your confirmation code is: ${input.code}`,
      '',
      `Enter it where you added this address (API: POST /api/v1/users/${input.userId}/communication_channels/${input.channelId}/confirm with code=${input.code}).`,
      'If you did not add this address, ignore this message.',
    ].join('\n'),
  };
}

/** Names in messages: the user's name, or a neutral stand-in for a user the log never named. */
export function displayName(user: { name: string } | undefined, userId: string): string {
  return user?.name ?? `User ${userId}`;
}
