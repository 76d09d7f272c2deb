import { EventStoreDBClient, excludeSystemEvents, streamNameFilter } from '@eventstore/db-client';
import { ReadReq } from '@eventstore/db-client/generated/streams_pb';
import { PassThrough } from 'node:stream';
import { filteredAllReader, filteredReadRequest } from './filteredAllReader';

// No server runs here: these pin the request against the protobuf the client ships, and that
// it goes through the client's own stream plumbing; the contract suite with
// EVENTSTORE_TEST_URL is what proves a server answers it.
describe('filteredReadRequest', () => {
  it('asks for a forwards $all read from a position, filtered on stream-name prefixes', () => {
    const request = filteredReadRequest({
      fromPosition: { commit: 1234n, prepare: 1200n },
      maxCount: 1001,
      filter: streamNameFilter({ prefixes: ['conversation-', 'participant-'] }),
    });

    const options = request.getOptions()!;
    expect(options.getAll()!.getPosition()!.getCommitPosition()).toBe('1234');
    expect(options.getAll()!.getPosition()!.getPreparePosition()).toBe('1200');
    expect(options.getCount()).toBe('1001');
    expect(options.getReadDirection()).toBe(ReadReq.Options.ReadDirection.FORWARDS);
    expect(options.getResolveLinks()).toBe(false);
    expect(options.hasUuidOption() && options.getUuidOption()!.hasString()).toBe(true);
    expect(options.hasSubscription()).toBe(false);
    expect(options.hasNoFilter()).toBe(false);
    const filter = options.getFilter()!;
    expect(filter.getStreamIdentifier()!.getPrefixList()).toEqual([
      'conversation-',
      'participant-',
    ]);
    expect(filter.hasEventType()).toBe(false);
    expect(filter.hasCount()).toBe(true);
  });

  it('reads from the start with an event-type regex that leaves system events out', () => {
    const request = filteredReadRequest({
      fromPosition: 'start',
      maxCount: 2,
      filter: excludeSystemEvents(),
    });

    const options = request.getOptions()!;
    expect(options.getAll()!.hasStart()).toBe(true);
    expect(options.getFilter()!.getEventType()!.getRegex()).toBe('^[^$].*');
    expect(options.getFilter()!.hasStreamIdentifier()).toBe(false);
  });
});

describe('filteredAllReader', () => {
  it('finds the members it builds on in a real client (without connecting)', async () => {
    const client = EventStoreDBClient.connectionString('esdb://localhost:2113?tls=false');
    const internals = client as unknown as Record<string, unknown>;

    expect(typeof internals['GRPCStreamCreator']).toBe('function');
    expect(typeof internals['callArguments']).toBe('function');
    expect(typeof filteredAllReader(client)).toBe('function');
    await client.dispose();
  });

  it("sends the request through the client's stream creator with no deadline", async () => {
    const calls: unknown[][] = [];
    const client = {
      GRPCStreamCreator: (_client: unknown, name: string, creator: (grpc: unknown) => unknown) => {
        calls.push(['creator', name]);
        return async () =>
          creator({
            read: (request: ReadReq, ...rest: unknown[]) => {
              calls.push(['read', request.getOptions()!.getCount(), ...rest]);
              const stream = new PassThrough({ objectMode: true });
              stream.end();
              return stream;
            },
          });
      },
      callArguments: (_options: object, callOptions: object) => ['metadata', callOptions],
    } as unknown as EventStoreDBClient;

    const read = filteredAllReader(client)({
      fromPosition: 'start',
      maxCount: 3,
      filter: excludeSystemEvents(),
    });
    const events: unknown[] = [];
    for await (const event of read) events.push(event);

    expect(events).toEqual([]);
    expect(calls).toEqual([
      ['creator', 'readAll'],
      ['read', '3', 'metadata', { deadline: Infinity }],
    ]);
  });
});
