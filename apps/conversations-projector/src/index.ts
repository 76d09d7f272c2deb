export * from './conversationsProjector';
export * from './projectorConfig';
export * from './consoleProjectionLogger';
export * from './healthServer';
export * from './runProjectorProcess';
