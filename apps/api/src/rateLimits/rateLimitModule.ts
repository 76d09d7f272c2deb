import { Global, Module, type DynamicModule } from '@nestjs/common';
import type { TokenBucketBackend } from './bucketBackends';

/** The Comms API's limiter (`TokenBucketBackend`), wherever its buckets live. */
export const COMMS_RATE_LIMITER = Symbol('COMMS_RATE_LIMITER');

/** Provides the rate limiters that startApp chose (see createRateLimits) to every module. */
@Global()
@Module({})
export class RateLimitModule {
  static forRoot(comms: TokenBucketBackend): DynamicModule {
    return {
      module: RateLimitModule,
      providers: [{ provide: COMMS_RATE_LIMITER, useValue: comms }],
      exports: [COMMS_RATE_LIMITER],
    };
  }
}
