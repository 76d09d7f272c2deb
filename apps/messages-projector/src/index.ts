export * from './messagesProjector';
