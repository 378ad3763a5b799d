import './scripts/require-node.mjs';

/** Jest 30 runs the ESM build of NestJS through @swc/jest (legacy decorators + metadata). */
const swcConfig = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true },
    target: 'es2022',
    keepClassNames: true,
  },
  module: { type: 'es6' },
  sourceMaps: 'inline',
};

export default {
  testEnvironment: 'node',
  rootDir: '.',
  roots: ['<rootDir>/src', '<rootDir>/test'],
  testRegex: '.*\\.(spec|e2e-spec)\\.ts$',
  extensionsToTreatAsEsm: ['.ts'],
  moduleFileExtensions: ['ts', 'js', 'json'],
  transform: { '^.+\\.ts$': ['@swc/jest', swcConfig] },
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  // Before each test file: see test/setup/load-nest-first.ts.
  setupFiles: ['<rootDir>/test/setup/load-nest-first.ts'],
  maxWorkers: 2,
  testTimeout: 60000,
};
