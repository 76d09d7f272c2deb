import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { PACKAGE_DIR, generatedFiles } from './generatedFiles';

/** `npm run generate`: rewrites the schemas and docs after a domain event type changes. */
async function main(): Promise<void> {
  for (const [path, content] of Object.entries(await generatedFiles())) {
    const target = join(PACKAGE_DIR, path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, content);
    console.log(`wrote ${path}`);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
