export * from './channelsProjector';
