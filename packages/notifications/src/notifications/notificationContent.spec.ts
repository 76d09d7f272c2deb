import {
  NO_SUBJECT,
  addedToConversationContent,
  channelConfirmationContent,
  conversationMessageContent,
  displayName,
  subjectOf,
} from './notificationContent';

describe('notification content', () => {
  it('uses the conversation subject, or Canvas’s "(No subject)"', () => {
    expect(subjectOf('Field trip')).toBe('Field trip');
    expect(subjectOf('  ')).toBe(NO_SUBJECT);
    expect(subjectOf(null)).toBe(NO_SUBJECT);
  });

  it('puts the message first, then who wrote it, without links', () => {
    const { subject, body } = conversationMessageContent({
      subject: 'Field trip',
      authorName: 'Ann Author',
      body: 'Bring a lunch.',
    });
    expect(subject).toBe('Field trip');
    expect(body.split('\n')[0]).toBe('Bring a lunch.');
    expect(body).toContain('Ann Author wrote this in the conversation "Field trip".');
    expect(body).not.toMatch(/https?:/);
  });

  it('tells an added user who added them', () => {
    expect(addedToConversationContent({ subject: null, addedByName: 'Ann' })).toEqual({
      subject: 'You were added to the conversation "(No subject)"',
      body: 'Ann added you to the conversation "(No subject)".\nIts earlier messages are now in your inbox.',
    });
  });

  it('carries the confirmation code and where to enter it', () => {
    const { subject, body } = channelConfirmationContent({
      serviceName: 'Missive',
      address: 'ben@example.com',
      code: 'ABCD2345',
      userId: '2',
      channelId: '21',
    });
    expect(subject).toBe('Confirm Email: Missive');
    expect(body).toContain('Your confirmation code is: ABCD2345');
    expect(body).toContain('/api/v1/users/2/communication_channels/21/confirm');
  });

  it('names a user the log never named by id', () => {
    expect(displayName(undefined, '7')).toBe('User 7');
    expect(displayName({ name: 'Ann' }, '7')).toBe('Ann');
  });
});
