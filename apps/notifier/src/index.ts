export * from './transports/transport';
