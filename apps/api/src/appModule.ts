import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import type { EventStore } from '@missive/event-store';
import type { Kysely } from 'kysely';
import { AdminBootstrap } from './auth/adminBootstrap';
import { AuthGuard } from './auth/authGuard';
import type { AppConfig } from './config/appConfig';
import { ConversationsModule } from './conversations/conversationsModule';
import { HealthController } from './http/healthController';
import { CanvasExceptionFilter } from './http/canvasExceptionFilter';
import { InfrastructureModule } from './infrastructure/infrastructureModule';
import { UsersModule } from './users/usersModule';

@Module({})
export class AppModule {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  static create(config: AppConfig, store: EventStore, db: Kysely<any>): DynamicModule {
    return {
      module: AppModule,
      imports: [
        CqrsModule.forRoot(),
        InfrastructureModule.forRoot(config, store, db),
        UsersModule,
        ConversationsModule,
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
