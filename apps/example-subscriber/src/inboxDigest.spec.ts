import { InboxDigest } from './inboxDigest';

const message = (conversationId: string, authorId: string, recipientIds: string[]) => ({
  type: 'com.missive.MessageAdded',
  data: { conversationId, authorId, recipientIds },
});

describe('InboxDigest', () => {
  it('counts the messages each recipient got, not the author’s own', () => {
    const digest = new InboxDigest();
    digest.apply(message('10', '1', ['1', '2']));
    digest.apply(message('11', '1', ['1', '2', '3']));
    expect(digest.users).toEqual({
      '2': { messagesReceived: 2, conversations: ['10', '11'] },
      '3': { messagesReceived: 1, conversations: ['11'] },
    });
  });

  it('purges an erased user’s entry and starts none for them again', () => {
    const digest = new InboxDigest();
    digest.apply(message('10', '1', ['1', '2', '3']));
    digest.apply({ type: 'com.missive.UserErased', data: { userId: '2', erasedAt: 'now' } });
    digest.apply(message('10', '1', ['1', '2', '3']));
    digest.apply({
      type: 'com.missive.RecipientsAdded',
      data: { conversationId: '12', userIds: ['2'] },
    });
    expect(digest.users).toEqual({ '3': { messagesReceived: 2, conversations: ['10'] } });
    expect(digest.erased).toEqual(['2']);
  });
});
