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

/** The dashboard's .tsx files (web/): the same, with JSX compiled for React's automatic runtime. */
const swcTsxConfig = {
  ...swcConfig,
  jsc: {
    ...swcConfig.jsc,
    parser: { syntax: 'typescript', tsx: true },
    transform: { react: { runtime: 'automatic' } },
  },
};

export default {
  testEnvironment: 'node',
  rootDir: '.',
  roots: ['<rootDir>/src', '<rootDir>/test', '<rootDir>/web'],
  testRegex: '.*\\.(spec|e2e-spec)\\.tsx?$',
  extensionsToTreatAsEsm: ['.ts', '.tsx'],
  moduleFileExtensions: ['ts', 'tsx', 'js', 'json'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', swcConfig],
    '^.+\\.tsx$': ['@swc/jest', swcTsxConfig],
  },
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  // Before each test file: see test/setup/load-nest-first.ts.
  setupFiles: ['<rootDir>/test/setup/load-nest-first.ts'],
  maxWorkers: 2,
  testTimeout: 60000,
};
