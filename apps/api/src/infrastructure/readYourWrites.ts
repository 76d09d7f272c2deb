import type { SchemalessDb } from '@missive/read-models';
import { Inject, Injectable } from '@nestjs/common';
import type { Position } from '@missive/event-store';
import { waitForCheckpoint } from '@missive/projections';
import type { AppConfig } from '../config/appConfig';
import { CanvasError } from '../http/canvasError';
import { CommittedPositions } from './committedPositions';
import { APP_CONFIG, PROJECTION_WAKER, READ_DB } from './tokens';

export type ProjectionWaker = (projection: string) => void;

/**
 * Read-your-writes: a command answers only once the projection that serves the
 * following GET has applied the position the command appended at.
 */
@Injectable()
export class ReadYourWrites {
  constructor(
    @Inject(READ_DB) private readonly db: SchemalessDb,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(PROJECTION_WAKER) private readonly wake: ProjectionWaker,
    private readonly committed: CommittedPositions,
  ) {}

  async waitFor(projection: string, position: Position | null | undefined): Promise<void> {
    if (!position) return;
    this.wake(projection);
    // A reported commit answers at once; the checkpoint row stays the authority for what is
    // never reported (projectors in other processes, a parked event, a timeout).
    const reported = this.committed.wait(projection, position);
    try {
      const ok = await Promise.race([
        reported.passed.then(() => true),
        waitForCheckpoint(this.db, projection, position, {
          timeoutMs: this.config.READ_YOUR_WRITES_TIMEOUT_MS,
        }),
      ]);
      // The write is durable; only the view lags. 503 tells the client to read again shortly.
      if (!ok) throw CanvasError.generic(503, 'service_unavailable');
    } finally {
      reported.cancel();
    }
  }
}
