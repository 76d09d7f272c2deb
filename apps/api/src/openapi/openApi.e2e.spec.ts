import { TestApp } from '../testing/testApp';
import { queryDtos } from './queryDtos';

type Doc = {
  openapi: string;
  paths: Record<
    string,
    Record<
      string,
      {
        operationId: string;
        parameters?: { name: string; in: string }[];
        security?: Record<string, unknown>[];
        requestBody?: { content: Record<string, { schema: { $ref: string } }> };
      }
    >
  >;
  components: { schemas: Record<string, { properties?: Record<string, unknown> }> };
};

/** Every `$ref` in the document, to check that each points at something. */
function refs(node: unknown, found: string[] = []): string[] {
  if (Array.isArray(node)) node.forEach((n) => refs(n, found));
  else if (node && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string') found.push(value);
      else refs(value, found);
    }
  }
  return found;
}

describe('OpenAPI document (GET /openapi.json)', () => {
  let app: TestApp;
  let doc: Doc;

  beforeAll(async () => {
    app = await TestApp.start();
    const reply = await app.request('GET', '/openapi.json');
    expect(reply.status).toBe(200);
    doc = reply.body;
  });
  afterAll(() => app.stop());

  it('describes both dialects', () => {
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/conversations',
        '/api/v1/conversations/{id}/add_message',
        '/api/v1/users/{user_id}/communication_channels',
        '/api/v1/comm_messages',
        '/v1/Messages',
        '/v1/Messages/Operations/{operationId}',
        '/v1/Messages/Seek/{identifier}',
      ]),
    );
    expect(doc.paths['/api/v1/conversations']!['get']!.security).toEqual([{ canvasToken: [] }]);
    expect(doc.paths['/v1/Messages']!['post']!.security).toEqual([{ commsBasic: [] }]);
  });

  it('takes request bodies and query strings from the validation classes', () => {
    const create = doc.paths['/api/v1/conversations']!['post']!;
    const ref = create.requestBody!.content['application/json']!.schema.$ref;
    const schema = doc.components.schemas[ref.split('/').pop()!]!;
    expect(Object.keys(schema.properties!)).toEqual(
      expect.arrayContaining(['recipients', 'subject', 'body', 'group_conversation']),
    );
    const list = doc.paths['/api/v1/conversations']!['get']!.parameters!.map((p) => p.name);
    expect(list).toEqual(expect.arrayContaining(['scope', 'filter_mode', 'per_page']));
    const comms = doc.paths['/v1/Messages']!['get']!.parameters!.map((p) => p.name);
    expect(comms).toEqual(expect.arrayContaining(['pageSize', 'pageToken', 'tags', 'startDate']));
  });

  it('offers Idempotency-Key on changing operations only', () => {
    const headers = (method: string, path: string) =>
      (doc.paths[path]![method]!.parameters ?? [])
        .filter((p) => p.in === 'header')
        .map((p) => p.name);
    expect(headers('post', '/api/v1/conversations')).toEqual(['Idempotency-Key']);
    expect(headers('put', '/api/v1/conversations')).toEqual(['Idempotency-Key']);
    expect(headers('post', '/v1/Messages')).toEqual(['Idempotency-Key']);
    expect(headers('get', '/api/v1/conversations')).toEqual([]);
  });

  it('maps every query class to an operation that exists', () => {
    const operationIds = Object.values(doc.paths).flatMap((item) =>
      Object.values(item).map((op) => op.operationId),
    );
    expect(Object.keys(queryDtos).length).toBeGreaterThan(0);
    for (const id of Object.keys(queryDtos)) expect(operationIds).toContain(id);
  });

  it('resolves every reference', () => {
    const all = [...refs(doc)];
    expect(all.length).toBeGreaterThan(0);
    for (const ref of all) {
      expect({
        ref,
        found: ref.replace('#/components/schemas/', '') in doc.components.schemas,
      }).toEqual({ ref, found: true });
    }
  });
});
