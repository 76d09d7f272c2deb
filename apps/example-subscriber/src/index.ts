export * from './inboxDigest';
export * from './followEventFeed';
export * from './digestFile';
export * from './runDigest';
