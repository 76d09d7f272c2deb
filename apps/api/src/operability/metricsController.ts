import { Controller, Get, Header, Inject, UseGuards } from '@nestjs/common';
import type { EventStore } from '@missive/event-store';
import { isMissingTableError } from '@missive/projections';
import type { SchemalessDb } from '@missive/read-models';
import { Public } from '../auth/public';
import { EVENT_STORE, READ_DB } from '../infrastructure/tokens';
import { Metrics } from './metrics';
import { MetricsTokenGuard } from './metricsTokenGuard';
import { projectionStatuses } from './projectionStatuses';
import { servedProjections } from './servedProjections';

/**
 * Prometheus scrape endpoint. Gauges that describe shared state (projection lag, parked
 * events, outbound messages by state) are read at scrape time, so every API replica reports
 * the same truth whichever process did the work. Open unless METRICS_TOKEN is set.
 */
@Controller()
export class MetricsController {
  constructor(
    private readonly metrics: Metrics,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(READ_DB) private readonly db: SchemalessDb,
  ) {}

  @Public()
  @UseGuards(MetricsTokenGuard)
  @Get('metrics')
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  async scrape(): Promise<string> {
    const statuses = await projectionStatuses(this.store, this.db, servedProjections);
    this.metrics.projectionLag.reset();
    this.metrics.projectionParked.reset();
    for (const s of statuses) {
      this.metrics.projectionLag.set({ projection: s.name }, s.lag);
      this.metrics.projectionParked.set({ projection: s.name }, s.parked);
    }
    await this.outboundByState();
    return this.metrics.text();
  }

  private async outboundByState(): Promise<void> {
    this.metrics.deliveries.reset();
    try {
      const rows = await this.db
        .selectFrom('outbound_messages')
        .select(['state', (eb) => eb.fn.countAll().as('n')])
        .groupBy('state')
        .execute();
      for (const row of rows as { state: string; n: unknown }[]) {
        this.metrics.deliveries.set({ state: row.state }, Number(row.n));
      }
    } catch (err) {
      // The messages projector has not created its table yet: nothing delivered so far.
      if (!isMissingTableError(err)) throw err;
    }
  }
}
