import type {
  AllStreamResolvedEvent,
  EventStoreDBClient,
  Filter,
  ReadPosition,
  StreamingRead,
} from '@eventstore/db-client';
import { ReadStream } from '@eventstore/db-client/dist/streams/utils/ReadStream';
import { convertGrpcEvent } from '@eventstore/db-client/dist/utils/convertGrpcEvent';
import { Empty } from '@eventstore/db-client/generated/shared_pb';
import { StreamsClient } from '@eventstore/db-client/generated/streams_grpc_pb';
import { ReadReq } from '@eventstore/db-client/generated/streams_pb';

export interface FilteredReadOptions {
  readonly fromPosition: ReadPosition;
  readonly maxCount: number;
  readonly filter: Filter;
}

/** A forwards `$all` read that the server filters, so skipped events never cross the wire. */
export type FilteredAllReader = (
  options: FilteredReadOptions,
) => StreamingRead<AllStreamResolvedEvent>;

/** The two protected members of the 6.x `Client` that its own commands are built on. */
interface ClientInternals {
  GRPCStreamCreator(
    client: typeof StreamsClient,
    debugName: string,
    creator: (grpc: StreamsClient) => unknown,
  ): () => Promise<unknown>;
  callArguments(options: object, callOptions?: object): unknown[];
}

/**
 * `@eventstore/db-client` 6.2.1's `readAll` always sends "no filter", although the server
 * filters `$all` reads (ReadAllForwardsFiltered in its gRPC read service). This builds the same
 * request as that `readAll` (dist/streams/readAll.js), with the filter block its
 * `subscribeToAll` sends (dist/streams/subscribeToAll.js) and the `count` window, which the
 * server reads as "search as far as needed for maxCount events". A client that brings its own
 * `readAllFiltered` (the in-memory stand-in) is used as is.
 */
export function filteredAllReader(client: EventStoreDBClient): FilteredAllReader {
  const own = (client as { readAllFiltered?: FilteredAllReader }).readAllFiltered;
  if (typeof own === 'function') return own.bind(client);
  const internals = client as unknown as ClientInternals;
  return (options) => {
    const request = filteredReadRequest(options);
    const createGRPCStream = internals.GRPCStreamCreator(StreamsClient, 'readAll', (grpc) =>
      grpc.read(request, ...(internals.callArguments({}, { deadline: Infinity }) as [])),
    );
    return new ReadStream(
      createGRPCStream as ConstructorParameters<typeof ReadStream>[0],
      convertGrpcEvent,
      {},
    ) as unknown as StreamingRead<AllStreamResolvedEvent>;
  };
}

export function filteredReadRequest({
  fromPosition,
  maxCount,
  filter,
}: FilteredReadOptions): ReadReq {
  const options = new ReadReq.Options();
  const all = new ReadReq.Options.AllOptions();
  if (fromPosition === 'start') {
    all.setStart(new Empty());
  } else if (fromPosition === 'end') {
    all.setEnd(new Empty());
  } else {
    const position = new ReadReq.Options.Position();
    position.setCommitPosition(fromPosition.commit.toString(10));
    position.setPreparePosition(fromPosition.prepare.toString(10));
    all.setPosition(position);
  }
  options.setAll(all);
  options.setResolveLinks(false);
  options.setCount(maxCount.toString(10));
  const uuid = new ReadReq.Options.UUIDOption();
  uuid.setString(new Empty());
  options.setUuidOption(uuid);
  options.setReadDirection(ReadReq.Options.ReadDirection.FORWARDS);

  const expression = new ReadReq.Options.FilterOptions.Expression();
  if ('prefixes' in filter) expression.setPrefixList(filter.prefixes);
  else expression.setRegex(filter.regex);
  const filterOptions = new ReadReq.Options.FilterOptions();
  if (filter.filterOn === 'streamName') filterOptions.setStreamIdentifier(expression);
  else filterOptions.setEventType(expression);
  filterOptions.setCount(new Empty());
  filterOptions.setCheckpointintervalmultiplier(1);
  options.setFilter(filterOptions);

  const request = new ReadReq();
  request.setOptions(options);
  return request;
}
