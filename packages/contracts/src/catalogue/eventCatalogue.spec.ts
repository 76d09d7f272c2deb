import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { eventCatalogue, currentVersionOf } from './eventCatalogue';
import { upcast, upcasters } from './upcasters';
import { eventSchemas } from '../generated/eventSchemas';
import type { JsonSchema } from './jsonSchema';

const DOMAIN_SRC = join(__dirname, '..', '..', '..', 'domain', 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') && !name.endsWith('.spec.ts') ? [path] : [];
  });
}

/** Every `DomainEvent<'Name', ...>` the domain declares. */
function declaredEventTypes(): string[] {
  const found = new Set<string>();
  for (const file of sourceFiles(DOMAIN_SRC)) {
    for (const match of readFileSync(file, 'utf8').matchAll(/DomainEvent<\s*'([A-Za-z]+)'/g)) {
      found.add(match[1]!);
    }
  }
  return [...found].sort();
}

/** The schema a dotted path (`[]` for each element) reaches, or undefined when it names nothing. */
function schemaAt(schema: JsonSchema | undefined, path: string): JsonSchema | undefined {
  let node = schema;
  for (const part of path.split('.')) {
    const name = part.replace(/\[\]$/, '');
    node = (node?.['properties'] as Record<string, JsonSchema> | undefined)?.[name];
    if (node && part.endsWith('[]')) node = node['items'] as JsonSchema | undefined;
  }
  return node;
}

describe('event catalogue', () => {
  it('marks personal data only on fields its schemas have', () => {
    const marked = eventCatalogue.filter((e) => e.personalData.length > 0);
    expect(marked.map((e) => e.type)).toEqual(
      expect.arrayContaining(['UserRegistered', 'MessageAdded', 'OutboundMessageCreated']),
    );
    for (const entry of marked) {
      for (const path of entry.personalData) {
        expect([entry.type, path, schemaAt(eventSchemas[entry.type], path) !== undefined]).toEqual([
          entry.type,
          path,
          true,
        ]);
      }
    }
    expect(schemaAt(eventSchemas['UserRegistered'], 'nope')).toBeUndefined();
  });

  it('lists exactly the event types the domain declares', () => {
    expect(declaredEventTypes()).toEqual(
      expect.arrayContaining(['MessageAdded', 'ConversationStarted']),
    );
    expect(eventCatalogue.map((e) => e.type).sort()).toEqual(declaredEventTypes());
  });

  it('names each type once, with versions counting up from 1', () => {
    const types = eventCatalogue.map((e) => e.type);
    expect(types.length).toBeGreaterThan(0);
    expect(new Set(types).size).toBe(types.length);
    for (const entry of eventCatalogue) {
      expect(entry.versions.map((v) => v.version)).toEqual(entry.versions.map((_, i) => i + 1));
    }
  });

  it('has an upcaster for every step of every version history, and no other', () => {
    // Compared as whole lists, so the test holds even while no event has a second version.
    const needed = eventCatalogue.flatMap((entry) =>
      Array.from({ length: currentVersionOf(entry.type) - 1 }, (_, i) => `${entry.type} v${i + 1}`),
    );
    const present = Object.entries(upcasters).flatMap(([type, steps]) =>
      Object.entries(steps ?? {})
        .filter(([, step]) => step instanceof Function)
        .map(([version]) => `${type} v${version}`),
    );
    expect(present.sort()).toEqual(needed.sort());
  });

  it('leaves current payloads alone and treats a missing version as 1', () => {
    const data = { userId: '1' };
    expect(upcast('ChannelRemoved', 1, data)).toEqual({ version: 1, data });
    expect(upcast('ChannelRemoved', undefined, data)).toEqual({ version: 1, data });
  });
});
