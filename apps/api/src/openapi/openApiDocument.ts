import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { validationMetadatasToSchemas } from 'class-validator-jsonschema';
import { queryDtos } from './queryDtos';

// class-transformer ships the storage's types beside its CJS build but maps no subpath to them.
const { defaultMetadataStorage } =
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require('class-transformer/cjs/storage') as typeof import('class-transformer/types/storage');

type Schema = { properties?: Record<string, unknown>; required?: string[] };
type Operation = {
  operationId?: string;
  parameters?: unknown[];
  security?: unknown[];
  tags?: string[];
};

/**
 * The OpenAPI 3 description of both dialects, built from the running app: paths and path
 * parameters from Nest's routes, request bodies and query strings from the same
 * class-validator classes that check them, so the document cannot drift from the code.
 * Canvas paths (`/api/v1/...`) take a bearer token; Comms paths (`/v1/...`) HTTP Basic.
 */
const CHANGING = new Set(['post', 'put', 'patch', 'delete']);
/** The idempotency middleware serves every changing route (README "Retries with Idempotency-Key"). */
const IDEMPOTENCY_KEY_PARAMETER = {
  name: 'Idempotency-Key',
  in: 'header',
  required: false,
  description:
    'A retry with the same key and request gets the first 2xx answer again and writes nothing; the same key with another request is a 422, while the first is in flight a 409.',
  schema: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[\\x21-\\x7e]+$' },
};

export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Missive')
    .setDescription(
      'Canvas LMS Conversations, Communication Channels and CommMessages APIs (`/api/v1`) and the Twilio-style Comms Messages API (`/v1/Messages`). See README.md for behaviour.',
    )
    .setVersion('1.0')
    .addBearerAuth({ type: 'http', scheme: 'bearer' }, 'canvasToken')
    .addBasicAuth({ type: 'http', scheme: 'basic' }, 'commsBasic')
    .build();
  const document = SwaggerModule.createDocument(app, config);
  const schemas = validationMetadatasToSchemas({
    refPointerPrefix: '#/components/schemas/',
    // Lets @Type(() => Item) name the class of nested arrays and objects.
    classTransformerMetadataStorage: defaultMetadataStorage,
  }) as Record<string, Schema>;
  document.components ??= {};
  document.components.schemas = withoutBuiltinRefs({
    ...document.components.schemas,
    ...schemas,
  }) as typeof document.components.schemas;
  for (const [path, item] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(item) as [string, Operation][]) {
      if (!operation || typeof operation !== 'object' || !('responses' in operation)) continue;
      if (CHANGING.has(method)) {
        operation.parameters = [...(operation.parameters ?? []), IDEMPOTENCY_KEY_PARAMETER];
      }
      const dto = operation.operationId ? queryDtos[operation.operationId] : undefined;
      const schema = dto ? schemas[dto.name] : undefined;
      if (schema?.properties) {
        operation.parameters = [
          ...(operation.parameters ?? []),
          ...Object.entries(schema.properties).map(([name, property]) => ({
            name,
            in: 'query',
            required: schema.required?.includes(name) ?? false,
            schema: property,
          })),
        ];
      }
      if (path.startsWith('/api/')) {
        operation.security = [{ canvasToken: [] }];
        operation.tags = (operation.tags ?? []).map((t) => `Canvas ${t}`);
      } else if (path.startsWith('/v1/')) {
        operation.security = [{ commsBasic: [] }];
        operation.tags = ['Comms Messages'];
      } else {
        operation.tags = ['Operations'];
      }
    }
  }
  return document;
}

/**
 * A nested property whose class-transformer `@Type` is absent is typed by its design type,
 * which class-validator-jsonschema turns into a reference to `Object` or `Array`: say what
 * those are instead of pointing at schemas that do not exist.
 */
function withoutBuiltinRefs(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutBuiltinRefs);
  if (!node || typeof node !== 'object') return node;
  const ref = (node as { $ref?: unknown }).$ref;
  if (ref === '#/components/schemas/Object') return { type: 'object' };
  if (ref === '#/components/schemas/Array') return { type: 'array', items: {} };
  return Object.fromEntries(
    Object.entries(node).map(([key, value]) => [key, withoutBuiltinRefs(value)]),
  );
}
