import type { Projection } from '@missive/projections';

/** The read models this app builds over outbound messages (filled in as they land). */
export const messagesProjectorProjections: readonly Projection[] = [];
