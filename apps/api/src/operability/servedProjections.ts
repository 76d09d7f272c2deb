import type { Projection } from '@missive/projections';
import { readModelProjections } from '@missive/projectors';

/**
 * The read models this API answers from, wherever they are built: one that has not started
 * yet counts as behind by the whole log, so a fresh replica is not ready before its data is.
 */
export const servedProjections: readonly Pick<Projection, 'name' | 'version'>[] =
  readModelProjections;
