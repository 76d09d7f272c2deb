import { Inject, Injectable } from '@nestjs/common';
import type { Position } from '@missive/event-store';
import { waitForCheckpoint } from '@missive/projections';
import type { Kysely } from 'kysely';
import type { AppConfig } from '../config/appConfig';
import { CanvasError } from '../http/canvasError';
import { APP_CONFIG, READ_DB } from './tokens';

/**
 * Read-your-writes (DESIGN §5): a command answers only once the projection that serves the
 * following GET has applied the position the command appended at.
 */
@Injectable()
export class ReadYourWrites {
  constructor(
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    @Inject(READ_DB) private readonly db: Kysely<any>,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async waitFor(projection: string, position: Position | null | undefined): Promise<void> {
    if (!position) return;
    const ok = await waitForCheckpoint(this.db, projection, position, {
      timeoutMs: this.config.READ_YOUR_WRITES_TIMEOUT_MS,
    });
    // The write is durable; only the view lags. 503 tells the client to read again shortly.
    if (!ok) throw CanvasError.generic(503, 'service_unavailable');
  }
}
