import { describeEventStoreContract } from '../testing/eventStoreContract';
import { EventStoreDbEventStore } from './eventStoreDbEventStore';

const url = process.env['EVENTSTORE_TEST_URL'];

if (url) {
  describeEventStoreContract(
    `EventStoreDB server at ${url}`,
    () => new EventStoreDbEventStore({ connectionString: url }),
  );
} else {
  // Written straight to stderr: Jest drops console output of a suite whose tests all skip.
  process.stderr.write(
    'EventStoreDB contract suite skipped: EVENTSTORE_TEST_URL is not set (e.g. esdb://localhost:2113?tls=false).\n',
  );
  describe.skip('EventStore contract: EventStoreDB (EVENTSTORE_TEST_URL not set)', () => {
    it('runs against a live EventStoreDB/KurrentDB server', () => undefined);
  });
}
