import { Module, type DynamicModule } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { Metrics } from './metrics';
import { MetricsController } from './metricsController';
import { ReadinessController } from './readinessController';

/** `/ready` and `/metrics`; `Metrics` is created by startApp, which also feeds it. */
@Module({})
export class OperabilityModule {
  static forRoot(metrics: Metrics): DynamicModule {
    return {
      module: OperabilityModule,
      imports: [TerminusModule.forRoot({ logger: false })],
      controllers: [ReadinessController, MetricsController],
      providers: [{ provide: Metrics, useValue: metrics }],
    };
  }
}
