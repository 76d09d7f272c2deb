import { Controller, Get, HttpException, Inject } from '@nestjs/common';
import {
  HealthCheck,
  HealthCheckService,
  HealthIndicatorService,
  type HealthIndicatorResult,
} from '@nestjs/terminus';
import type { EventStore } from '@missive/event-store';
import type { SchemalessDb } from '@missive/read-models';
import { sql } from 'kysely';
import { Public } from '../auth/public';
import { CanvasError } from '../http/canvasError';
import type { AppConfig } from '../config/appConfig';
import { APP_CONFIG, EVENT_STORE, READ_DB } from '../infrastructure/tokens';
import { projectionStatuses } from './projectionStatuses';
import { servedProjections } from './servedProjections';

/**
 * `/ready` for load balancers: the event store and read-model database answer, and no
 * projection trails the log by more than READY_MAX_LAG (stale reads would break Canvas
 * clients' read-your-writes expectations across instances). 503 with the details otherwise.
 */
@Controller()
export class ReadinessController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(READ_DB) private readonly db: SchemalessDb,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Public()
  @Get('ready')
  @HealthCheck()
  async ready() {
    try {
      return await this.checks();
    } catch (err) {
      // Terminus reports "not ready" as a 503 exception; answer with its report as is, not
      // in the Canvas error shape the global filter would give it.
      if (err instanceof HttpException) throw new CanvasError(err.getStatus(), err.getResponse());
      throw err;
    }
  }

  private checks() {
    return this.health.check([
      () => this.check('eventStore', async () => void (await this.store.headPosition())),
      () => this.check('readModels', async () => void (await sql`select 1`.execute(this.db))),
      () => this.projections(),
    ]);
  }

  private async check(key: string, probe: () => Promise<void>): Promise<HealthIndicatorResult> {
    const indicator = this.indicators.check(key);
    try {
      await probe();
      return indicator.up();
    } catch (err) {
      return indicator.down({ message: err instanceof Error ? err.message : String(err) });
    }
  }

  private async projections(): Promise<HealthIndicatorResult> {
    const indicator = this.indicators.check('projections');
    const statuses = await projectionStatuses(this.store, this.db, servedProjections);
    const details = Object.fromEntries(
      statuses.map((s) => [s.name, { version: s.version, lag: s.lag, parked: s.parked }]),
    );
    const behind = statuses.filter((s) => s.lag > this.config.READY_MAX_LAG).map((s) => s.name);
    return behind.length === 0
      ? indicator.up(details)
      : indicator.down({ ...details, behind, maxLag: this.config.READY_MAX_LAG });
  }
}
