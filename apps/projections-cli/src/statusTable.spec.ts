import type { StoredProjectionStatus } from '@missive/projections';
import { statusJson, statusTable } from './statusTable';

const at = (n: bigint) => ({ commit: n, prepare: n });

const statuses: StoredProjectionStatus[] = [
  {
    name: 'conversations',
    kind: 'read-model',
    version: 2,
    storedVersion: 1,
    checkpoint: at(1200n),
    head: at(1250n),
    lag: 50,
    parked: 3,
    state: 'outdated',
    updatedAt: new Date('2026-01-01T00:00:00Z'),
    rebuild: {
      version: 2,
      checkpoint: at(900n),
      lag: 350,
      parked: 0,
      updatedAt: new Date('2026-01-01T00:00:01Z'),
    },
  },
  {
    name: 'notifications',
    kind: 'process-manager',
    version: 1,
    checkpoint: { commit: 10n, prepare: 7n },
    head: at(1250n),
    lag: 1240,
    parked: 0,
    state: 'stalled',
  },
];

describe('statusTable', () => {
  it('aligns one row per projection with its rebuild in progress', () => {
    expect(statusTable(statuses)).toBe(
      [
        'NAME           KIND             VERSION     CHECKPOINT  HEAD  LAG    PARKED  STATE     REBUILD',
        'conversations  read-model       2 (live 1)  1200        1250  50     3       outdated  v2 at 900, lag 350',
        'notifications  process-manager  1           10/7        1250  1,240  0       stalled   -',
        '',
      ].join('\n'),
    );
  });

  it('gives positions in their stored text form as JSON', () => {
    const [conversations, notifications] = JSON.parse(statusJson(statuses));
    expect(conversations).toMatchObject({
      checkpoint: '1200/1200',
      head: '1250/1250',
      updatedAt: '2026-01-01T00:00:00.000Z',
      rebuild: { checkpoint: '900/900', lag: 350 },
    });
    expect(notifications).toMatchObject({ checkpoint: '10/7', state: 'stalled' });
  });
});
