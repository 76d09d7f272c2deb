/** Stream names: `<category>-<id>`; the category is what projections subscribe to. */
export const streams = {
  user: (userId: string) => `user-${userId}`,
  login: (loginKey: string) => `login-${loginKey}`,
  conversation: (conversationId: string) => `conversation-${conversationId}`,
  privateConversation: (privateHash: string) => `privateconversation-${privateHash}`,
  participant: (conversationId: string, userId: string) =>
    `participant-${conversationId}-${userId}`,
  progress: (progressId: string) => `progress-${progressId}`,
  conversationBatch: (batchId: string) => `conversationbatch-${batchId}`,
  course: (courseId: string) => `course-${courseId}`,
  group: (groupId: string) => `group-${groupId}`,
  channel: (channelId: string) => `channel-${channelId}`,
  channelAddress: (addressKey: string) => `channeladdress-${addressKey}`,
  outbound: (outboundId: string) => `outbound-${outboundId}`,
  operation: (operationId: string) => `operation-${operationId}`,
  operationFanOut: (operationId: string) => `operationfanout-${operationId}`,
} as const;

export const categories = {
  user: 'user-',
  login: 'login-',
  conversation: 'conversation-',
  privateConversation: 'privateconversation-',
  participant: 'participant-',
  progress: 'progress-',
  conversationBatch: 'conversationbatch-',
  course: 'course-',
  group: 'group-',
  channel: 'channel-',
  channelAddress: 'channeladdress-',
  outbound: 'outbound-',
  operation: 'operation-',
  operationFanOut: 'operationfanout-',
} as const;
