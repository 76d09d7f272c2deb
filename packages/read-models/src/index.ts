export * from './users/usersTables';
export * from './users/usersProjection';
export * from './users/userQueries';
export * from './conversations/conversationsTables';
export * from './conversations/conversationsProjection';
export * from './conversations/conversationQueries';
export * from './schemaless';
