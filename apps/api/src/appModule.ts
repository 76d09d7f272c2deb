import { StreamKeys } from './infrastructure/streamKeys';
import type { SchemalessDb } from '@missive/read-models';
import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import type { EventStore } from '@missive/event-store';
import { AdminBootstrap } from './auth/adminBootstrap';
import { AuditModule } from './audit/auditModule';
import { AuthGuard } from './auth/authGuard';
import type { AppConfig } from './config/appConfig';
import { ChannelsModule } from './channels/channelsModule';
import { CommMessagesModule } from './commMessages/commMessagesModule';
import { CommsModule } from './comms/commsModule';
import { ConversationsModule } from './conversations/conversationsModule';
import { DeliveryWebhookModule } from './deliveryWebhook/deliveryWebhookModule';
import { DirectoryModule } from './directory/directoryModule';
import { EventsModule } from './events/eventsModule';
import { HealthController } from './http/healthController';
import { CanvasExceptionFilter } from './http/canvasExceptionFilter';
import { SearchModule } from './search/searchModule';
import { InfrastructureModule } from './infrastructure/infrastructureModule';
import { JobsModule } from './jobs/jobsModule';
import type { CommittedPositions } from './infrastructure/committedPositions';
import type { KeyEraser } from './infrastructure/keyEraser';
import type { ProjectionWaker } from './infrastructure/readYourWrites';
import { UsersModule } from './users/usersModule';
import type { Metrics } from './operability/metrics';
import { OperabilityModule } from './operability/operabilityModule';
import { CommsRateLimiter } from './comms/commsRateLimiter';
import type { TokenBucketBackend } from './rateLimits/bucketBackends';
import { RateLimitModule } from './rateLimits/rateLimitModule';

@Module({})
export class AppModule {
  static create(
    config: AppConfig,
    store: EventStore,
    db: SchemalessDb,
    wake: ProjectionWaker,
    committed: CommittedPositions,
    metrics: Metrics,
    streamKeys: StreamKeys,
    keyEraser: KeyEraser,
    commsLimiter: TokenBucketBackend = new CommsRateLimiter(config.comms.rateLimit),
  ): DynamicModule {
    return {
      module: AppModule,
      imports: [
        CqrsModule.forRoot(),
        OperabilityModule.forRoot(metrics),
        InfrastructureModule.forRoot(config, store, db, wake, committed, streamKeys, keyEraser),
        RateLimitModule.forRoot(commsLimiter),
        JobsModule,
        UsersModule,
        SearchModule, // before ConversationsModule, whose `:id` would take `find_recipients`
        ConversationsModule,
        AuditModule,
        DirectoryModule,
        ChannelsModule,
        CommMessagesModule,
        EventsModule,
        DeliveryWebhookModule,
        CommsModule,
      ],
      controllers: [HealthController],
      providers: [
        AdminBootstrap,
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: APP_FILTER, useClass: CanvasExceptionFilter },
      ],
    };
  }
}
