import { deleteParticipantView, removeMessages, updateParticipantView } from './participantView';

const base = { conversationId: '1', userId: '2', private: false, at: '2026-01-01T00:00:00.000Z' };
const change = { conversationId: '1', userId: '2', at: base.at };

describe('participant view', () => {
  it('orders subscription before the explicit workflow state, then the star', () => {
    expect(
      updateParticipantView({ ...base, workflowState: 'unread', subscribed: false, starred: true }),
    ).toEqual([
      { type: 'ConversationUnsubscribed', data: change },
      { type: 'ConversationMarkedAsUnread', data: change },
      { type: 'ConversationStarred', data: change },
    ]);
  });

  it('ignores subscription changes on private conversations', () => {
    expect(updateParticipantView({ ...base, private: true, subscribed: false })).toEqual([]);
    expect(updateParticipantView({ ...base, subscribed: true })).toEqual([
      { type: 'ConversationSubscribed', data: change },
    ]);
  });

  it('maps each workflow state and refuses others', () => {
    expect(updateParticipantView({ ...base, workflowState: 'archived' })[0]!.type).toBe(
      'ConversationArchived',
    );
    expect(
      updateParticipantView({ ...base, workflowState: 'read', starred: false }).map((e) => e.type),
    ).toEqual(['ConversationMarkedAsRead', 'ConversationUnstarred']);
    expect(() => updateParticipantView({ ...base, workflowState: 'deleted' })).toThrow(
      expect.objectContaining({
        kind: 'invalid',
        attribute: 'workflow_state',
        message: 'invalid',
        type: 'invalid',
      }),
    );
  });

  it('deletes the view', () => {
    expect(deleteParticipantView(change)).toEqual([
      { type: 'ConversationViewDeleted', data: change },
    ]);
  });
});

describe('remove messages', () => {
  it('removes each listed message once, and nothing for an empty list', () => {
    expect(removeMessages({ ...change, messageIds: ['5', '6', '5'] })).toEqual([
      { type: 'MessagesRemoved', data: { ...change, messageIds: ['5', '6'] } },
    ]);
    expect(removeMessages({ ...change, messageIds: [] })).toEqual([]);
  });
});
