import type { CatalogueEntry } from '../catalogue/eventCatalogue';
import type { JsonSchema } from '../catalogue/jsonSchema';

/**
 * An AsyncAPI 3.0 document of the public events: one channel per stream category, one message
 * per event type, each message's payload the catalogue's schema.
 */
export function renderAsyncApi(
  catalogue: readonly CatalogueEntry[],
  schemas: Record<string, JsonSchema>,
): Record<string, unknown> {
  const publicEvents = catalogue.filter((e) => e.visibility === 'public');
  const categories = [...new Set(publicEvents.map((e) => e.category))];
  const messages = Object.fromEntries(
    publicEvents.map((e) => [
      e.type,
      {
        name: e.type,
        title: e.type,
        summary: e.summary,
        contentType: 'application/json',
        headers: {
          type: 'object',
          properties: {
            schemaVersion: { type: 'integer', const: e.versions[e.versions.length - 1]!.version },
          },
        },
        payload: schemas[e.type],
      },
    ]),
  );
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Missive events',
      version: '1.0.0',
      description:
        'Events Missive publishes. Subscribe to EventStoreDB category streams (`$ce-<category>`) or filtered `$all`, or to the CloudEvents feed of the API.',
    },
    channels: Object.fromEntries(
      categories.map((category) => [
        category,
        {
          address: `${category}-{id}`,
          parameters: { id: { description: 'The aggregate id.' } },
          messages: Object.fromEntries(
            publicEvents
              .filter((e) => e.category === category)
              .map((e) => [e.type, { $ref: `#/components/messages/${e.type}` }]),
          ),
        },
      ]),
    ),
    operations: Object.fromEntries(
      categories.map((category) => [
        `receive-${category}`,
        {
          action: 'receive',
          channel: { $ref: `#/channels/${category}` },
        },
      ]),
    ),
    components: { messages },
  };
}
