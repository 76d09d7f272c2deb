// @ts-check
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

// Apps are mains: nothing imports one, not even another app. Read from apps/ so that a new
// app is covered the day it is added; what apps share lives in packages/.
const appsDir = join(import.meta.dirname, 'apps');
const apps = readdirSync(appsDir)
  .filter((dir) => existsSync(join(appsDir, dir, 'package.json')))
  .map((dir) => ({
    dir,
    name: JSON.parse(readFileSync(join(appsDir, dir, 'package.json'), 'utf8')).name,
  }));
const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const appImport = {
  patterns: [
    {
      regex: `^(${apps.map((a) => escape(a.name)).join('|')})(/|$)`,
      message: 'An app is not a library: move what you need into a package under packages/.',
    },
    {
      regex: `^\\.\\.?/(.*/)?(apps/|\\.\\./(${apps.map((a) => escape(a.dir)).join('|')})/)`,
      message: 'An app is not a library: move what you need into a package under packages/.',
    },
  ],
};

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '**/coverage/**', '**/*.js', '**/*.mjs'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    languageOptions: {
      // Nest resolves constructor parameters from emitted decorator metadata: tell the type-import
      // rule, so it never turns an injected class into a type-only import.
      parserOptions: { emitDecoratorMetadata: true, experimentalDecorators: true },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': [
        'error',
        { fixStyle: 'inline-type-imports', disallowTypeAnnotations: false },
      ],
      'no-console': 'off',
      'no-restricted-imports': 'off',
      '@typescript-eslint/no-restricted-imports': ['error', appImport],
    },
  },
  {
    // An end-to-end test may start several apps together (a subscriber against a real API).
    files: ['**/*.e2e.spec.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': 'off' },
  },
);
