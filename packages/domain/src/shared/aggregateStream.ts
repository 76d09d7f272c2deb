/** Stream names: `<category>-<id>`; the category is what projections subscribe to. */
export const streams = {
  user: (userId: string) => `user-${userId}`,
  login: (loginKey: string) => `login-${loginKey}`,
  conversation: (conversationId: string) => `conversation-${conversationId}`,
  privateConversation: (privateHash: string) => `privateconversation-${privateHash}`,
} as const;

export const categories = {
  user: 'user-',
  login: 'login-',
  conversation: 'conversation-',
  privateConversation: 'privateconversation-',
} as const;
