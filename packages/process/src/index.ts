export * from './projectorConfig';
export * from './consoleProjectionLogger';
export * from './healthServer';
export * from './openStores';
export * from './runProcess';
export * from './runProjectorProcess';
