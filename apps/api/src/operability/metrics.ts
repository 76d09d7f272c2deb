import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The per-process text of `/metrics`: this process's registry, or in a cluster worker the sum
 * over every worker (each counts only the requests it served).
 */
export type ProcessMetricsText = () => Promise<string>;

/**
 * The API process's Prometheus metrics, on registries of their own (not prom-client's global
 * one) so that several apps in one process, or tests, never double-register. `registry` holds
 * what each process counts for itself; `readModelRegistry` the gauges read from the shared read
 * models at scrape time, which are the same whichever process answers, so never summed.
 */
export class Metrics {
  readonly registry = new Registry();
  readonly readModelRegistry = new Registry();
  processText: ProcessMetricsText = () => this.registry.metrics();

  readonly httpDuration = new Histogram({
    name: 'missive_http_request_duration_seconds',
    help: 'HTTP request latency by method, route template and status.',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  readonly appends = new Counter({
    name: 'missive_event_appends_total',
    help: 'Appends to the event store by outcome (written, conflict, error).',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  readonly rateLimitFallbacks = new Counter({
    name: 'missive_rate_limit_fallbacks_total',
    help: 'Requests limited on per-process buckets because the shared ones (Redis or the cluster primary) did not answer.',
    registers: [this.registry],
  });

  readonly appendedEvents = new Counter({
    name: 'missive_events_appended_total',
    help: 'Events written to the event store by this process.',
    registers: [this.registry],
  });

  readonly projectionLag = new Gauge({
    name: 'missive_projection_lag',
    help: 'How far each projection trails the head of the log (events on SQLite, log bytes on EventStoreDB).',
    labelNames: ['projection'] as const,
    registers: [this.readModelRegistry],
  });

  readonly projectionParked = new Gauge({
    name: 'missive_projection_parked_events',
    help: 'Poison events parked per projection.',
    labelNames: ['projection'] as const,
    registers: [this.readModelRegistry],
  });

  readonly deliveries = new Gauge({
    name: 'missive_outbound_messages',
    help: 'Outbound messages by state (sent, bounced, failed, ...), from the messages read model.',
    labelNames: ['state'] as const,
    registers: [this.readModelRegistry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'missive_' });
  }

  /** The whole scrape: per-process metrics, then the read-model gauges (set just before). */
  async text(): Promise<string> {
    return (await this.processText()) + (await this.readModelRegistry.metrics());
  }
}
