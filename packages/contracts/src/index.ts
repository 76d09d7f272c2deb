export * from './catalogue/eventCatalogue';
export * from './catalogue/upcasters';
export * from './catalogue/eventValidator';
export type { JsonSchema } from './catalogue/jsonSchema';
export { eventSchemas } from './generated/eventSchemas';
export type { MissiveEvent, MissiveEventData, MissiveEventType } from './catalogue/missiveEvent';
export * from './cloudEvents/cloudEvent';
export * from './subscriber/subscribeToMissive';
