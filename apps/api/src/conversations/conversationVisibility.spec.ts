import type { ConversationView } from '@missive/read-models';
import { CanvasError } from '../http/canvasError';
import { visibilityOf } from './conversationVisibility';

const view = (overrides: Partial<ConversationView> = {}): ConversationView => ({
  id: '5',
  userId: '1',
  subject: null,
  workflowState: 'read',
  lastMessageAt: '2026-11-23T10:00:00Z',
  lastMessage: null,
  messageCount: 1,
  lastAuthoredAt: null,
  lastAuthoredMessage: null,
  subscribed: true,
  starred: false,
  private: true,
  hasAttachments: false,
  hasMediaObjects: false,
  contextCode: null,
  participants: [
    { id: '1', name: 'Ada', shortName: 'Ada', lastAuthoredAt: null },
    { id: '2', name: 'Bob', shortName: 'Bob', lastAuthoredAt: null },
  ],
  tags: ['course_7'],
  ...overrides,
});

describe('visibilityOf', () => {
  it('defaults to the inbox with no filter', () => {
    expect(visibilityOf({}, {})(view())).toBe(true);
    expect(visibilityOf({})(view({ workflowState: 'archived' }))).toBe(false);
    expect(visibilityOf({})(view({ lastMessageAt: null }))).toBe(false);
  });

  it('takes the scope and filters from the query or the body', () => {
    expect(visibilityOf({ scope: 'archived' })(view({ workflowState: 'archived' }))).toBe(true);
    expect(visibilityOf({}, { filter: ['course_7'] })(view())).toBe(true);
    expect(visibilityOf({ filter: 'course_8' })(view())).toBe(false);
    expect(visibilityOf({ filter: ['user_2'] })(view())).toBe(true);
    expect(visibilityOf({ filter: ['user_3'] })(view())).toBe(false);
  });

  it('combines filters with or by default, and with and on request', () => {
    expect(visibilityOf({ filter: ['course_8', 'user_2'] })(view())).toBe(true);
    expect(visibilityOf({ filter: ['course_8', 'user_2'], filter_mode: 'and' })(view())).toBe(
      false,
    );
    expect(visibilityOf({ filter: ['course_7', 'user_2'], filter_mode: 'and' })(view())).toBe(true);
    expect(visibilityOf({ filter: ['', ' '] })(view())).toBe(true);
  });

  it('refuses an unknown filter_mode before anything is written', () => {
    expect(() => visibilityOf({ filter_mode: 'xor' })).toThrow(CanvasError);
  });
});
