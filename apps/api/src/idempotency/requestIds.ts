import {
  createParamDecorator,
  Injectable,
  type ExecutionContext,
  type PipeTransform,
} from '@nestjs/common';
import { IdGenerator } from '@missive/domain';
import type { FastifyRequest } from 'fastify';
import { idempotencyClaimOf } from './idempotencyHooks';
import type { IdempotencyKeys } from './idempotencyKeys';

/**
 * Where a command takes the ids of what it creates, in the order it creates them. `make`
 * makes a value other than an id (a new access token): fixed by a key the same way.
 */
export interface IdSource {
  take(count: number, make?: () => string): Promise<string[]>;
}

/** Fresh ids: a request without an Idempotency-Key. */
export function freshIds(generator: IdGenerator): IdSource {
  return {
    take: (count, make = () => generator.next()) =>
      Promise.resolve(Array.from({ length: count }, make)),
  };
}

/**
 * The ids of a request holding an Idempotency-Key: the key decides them. Every attempt of the
 * same request (the retry that takes over from one killed mid-request) takes the same ids in
 * the same order, so its writes land on what the dead attempt wrote, where each write checks
 * that its id is not there yet, instead of creating a second conversation or message.
 */
export function requestIds(req: FastifyRequest, generator: IdGenerator): IdSource {
  const claim = idempotencyClaimOf(req);
  if (!claim) return freshIds(generator);
  return new KeyedIds(claim.keys, claim, () => generator.next());
}

class KeyedIds implements IdSource {
  private taken = 0;

  constructor(
    private readonly keys: IdempotencyKeys,
    private readonly claim: { scope: string; key: string; fingerprint: string },
    private readonly fresh: () => string,
  ) {}

  async take(count: number, make = this.fresh): Promise<string[]> {
    const { scope, key, fingerprint } = this.claim;
    const ids = await this.keys.reserveIds(scope, key, fingerprint, this.taken + count, make);
    const taken = ids.slice(this.taken);
    this.taken += count;
    return taken;
  }
}

/**
 * Turns a request into its id source. A class given as a pipe is built by Nest with the
 * module's providers, which is how the generator reaches a parameter decorator.
 */
@Injectable()
export class RequestIdsPipe implements PipeTransform<FastifyRequest, IdSource> {
  constructor(private readonly generator: IdGenerator) {}

  transform(req: FastifyRequest): IdSource {
    return requestIds(req, this.generator);
  }
}

const HttpRequest = createParamDecorator((_: unknown, ctx: ExecutionContext): FastifyRequest =>
  ctx.switchToHttp().getRequest<FastifyRequest>(),
);

/** The ids this request's commands take: fixed by its Idempotency-Key, else fresh. */
export const RequestIds = (): ParameterDecorator => HttpRequest(undefined, RequestIdsPipe);
