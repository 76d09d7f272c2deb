import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_DIR, generatedFiles } from './generatedFiles';

describe('generated schemas and docs', () => {
  it('match the domain types (run `npm run generate -w @missive/contracts` after a change)', async () => {
    const files = await generatedFiles();
    expect(Object.keys(files)).toEqual(expect.arrayContaining(['docs/asyncapi.json']));
    for (const [path, content] of Object.entries(files)) {
      expect({ path, content: readFileSync(join(PACKAGE_DIR, path), 'utf8') }).toEqual({
        path,
        content,
      });
    }
  });

  it('publishes only public events in the AsyncAPI document', async () => {
    const doc = JSON.parse((await generatedFiles())['docs/asyncapi.json']!) as {
      asyncapi: string;
      components: { messages: Record<string, { payload: { type: string } }> };
    };
    expect(doc.asyncapi).toBe('3.0.0');
    expect(Object.keys(doc.components.messages)).toContain('MessageAdded');
    expect(Object.keys(doc.components.messages)).not.toContain('AccessTokenIssued');
    expect(doc.components.messages['ChannelBounced']!.payload.type).toBe('object');
  });
});
