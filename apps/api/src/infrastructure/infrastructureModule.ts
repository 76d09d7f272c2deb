import { StreamKeys } from './streamKeys';
import type { SchemalessDb } from '@missive/read-models';
import { Global, Module, type DynamicModule } from '@nestjs/common';
import { IdGenerator } from '@missive/domain';
import { type EventStore } from '@missive/event-store';
import { AggregateCache } from '@missive/command-handling';
import {
  ConversationBatchQueries,
  ConversationQueries,
  DirectoryQueries,
  ProgressQueries,
  UserQueries,
} from '@missive/read-models';
import type { AppConfig } from '../config/appConfig';
import { CommittedPositions } from './committedPositions';
import { KeyEraser } from './keyEraser';
import { ReadYourWrites, type ProjectionWaker } from './readYourWrites';
import { SqliteReadTuning } from './sqliteReadTuning';
import { APP_CONFIG, EVENT_STORE, PROJECTION_WAKER, READ_DB } from './tokens';

const AGGREGATE_CACHE_STREAMS = 1000;

/** The ports (event store, read-model database) and the services built on them. */
@Global()
@Module({})
export class InfrastructureModule {
  static forRoot(
    config: AppConfig,
    store: EventStore,
    db: SchemalessDb,
    wake: ProjectionWaker,
    committed: CommittedPositions,
    streamKeys: StreamKeys,
    keyEraser: KeyEraser,
  ): DynamicModule {
    const providers = [
      { provide: APP_CONFIG, useValue: config },
      { provide: EVENT_STORE, useValue: store },
      { provide: READ_DB, useValue: db },
      { provide: PROJECTION_WAKER, useValue: wake },
      { provide: CommittedPositions, useValue: committed },
      { provide: StreamKeys, useValue: streamKeys },
      { provide: KeyEraser, useValue: keyEraser },
      { provide: IdGenerator, useValue: new IdGenerator(config.NODE_ID) },
      // Folded conversation states, so a reply reads only the events since the last command.
      // Bounded: a 5,000-message conversation's state is a few hundred kilobytes of ids.
      { provide: AggregateCache, useValue: new AggregateCache(AGGREGATE_CACHE_STREAMS) },
      { provide: UserQueries, useValue: new UserQueries(db) },
      { provide: ConversationQueries, useValue: new ConversationQueries(db) },
      { provide: DirectoryQueries, useValue: new DirectoryQueries(db) },
      { provide: ProgressQueries, useValue: new ProgressQueries(db) },
      { provide: ConversationBatchQueries, useValue: new ConversationBatchQueries(db) },
      ReadYourWrites,
      SqliteReadTuning,
    ];
    return { module: InfrastructureModule, providers, exports: providers };
  }
}
