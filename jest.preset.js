// Shared Jest setup for every workspace. Tests run on TypeScript sources (no build needed);
// @swc/jest also transforms the ESM-only NestJS 12 packages so CommonJS Jest can load them.
const path = require('node:path');

module.exports = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.(t|j|mj)s$': [
      '@swc/jest',
      {
        jsc: {
          target: 'es2022',
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true },
        },
        module: { type: 'commonjs' },
      },
    ],
  },
  transformIgnorePatterns: ['/node_modules/(?!(@nestjs|uuid)/)'],
  moduleNameMapper: {
    '^@missive/([a-z-]+)$': path.join(__dirname, 'packages/$1/src'),
  },
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
  testTimeout: 30000,
};
