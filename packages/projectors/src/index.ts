export * from './conversationsProjector';
export * from './channelsProjector';
export * from './messagesProjector';
export * from './projectionCatalogue';
