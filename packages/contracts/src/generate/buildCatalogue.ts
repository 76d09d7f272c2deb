import { createGenerator } from 'ts-json-schema-generator';
import { join } from 'node:path';
import { eventCatalogue } from '../catalogue/eventCatalogue';
import type { JsonSchema } from '../catalogue/jsonSchema';

const DOMAIN = join(__dirname, '..', '..', '..', 'domain');

/**
 * Reads the domain's TypeScript event types and returns, for every catalogued type, the JSON
 * Schema of its payload with every reference inlined, so each schema stands alone.
 */
export function buildEventSchemas(): Record<string, JsonSchema> {
  const generator = createGenerator({
    path: join(DOMAIN, 'src', 'index.ts'),
    tsconfig: join(DOMAIN, 'tsconfig.json'),
    type: '*',
    expose: 'export',
    skipTypeCheck: true,
    jsDoc: 'extended',
    additionalProperties: false,
  });
  const definitions = generator.createSchema('*').definitions as Record<string, JsonSchema>;
  const resolve = (schema: unknown, seen: readonly string[]): unknown => {
    if (Array.isArray(schema)) return schema.map((item) => resolve(item, seen));
    if (!schema || typeof schema !== 'object') return schema;
    const ref = (schema as { $ref?: string }).$ref;
    if (ref) {
      const name = decodeURIComponent(ref.slice('#/definitions/'.length));
      if (seen.includes(name)) throw new Error(`recursive event type ${name}`);
      return resolve(definitions[name], [...seen, name]);
    }
    return Object.fromEntries(
      Object.entries(schema).map(([key, value]) => [key, resolve(value, seen)]),
    );
  };
  const schemas: Record<string, JsonSchema> = {};
  for (const { type } of eventCatalogue) {
    if (!definitions[type]) throw new Error(`the domain declares no event type ${type}`);
    const event = resolve(definitions[type], [type]) as {
      properties: { data: JsonSchema };
    };
    schemas[type] = event.properties.data;
  }
  return schemas;
}
