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

const shared = {
  testEnvironment: 'node',
  rootDir: '.',
  extensionsToTreatAsEsm: ['.ts', '.tsx'],
  moduleFileExtensions: ['ts', 'tsx', 'js', 'json'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', swcConfig],
    '^.+\\.tsx$': ['@swc/jest', swcTsxConfig],
  },
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  // Before each test file that boots the app: see test/setup/load-nest-first.ts.
  setupFiles: ['<rootDir>/test/setup/load-nest-first.ts'],
};

/**
 * Three tiers, each a project (`npm test -- --selectProjects unit`):
 * - unit: pure logic beside the code it tests (src/ and the dashboard's web/), no database or Redis;
 * - integration: services and the SQL they run against the real PostgreSQL and Redis;
 * - e2e: the real AppModule over HTTP, with fake gateways on loopback.
 * The database tiers clone a template database migrated once per run (test/setup/template-database.ts).
 */
export default {
  projects: [
    {
      ...shared,
      displayName: 'unit',
      roots: ['<rootDir>/src', '<rootDir>/web'],
      testRegex: '\\.spec\\.tsx?$',
      // Pure logic: nothing here loads the throttler, so no need to load Nest first.
      setupFiles: [],
    },
    {
      ...shared,
      displayName: 'integration',
      roots: ['<rootDir>/test/integration'],
      testRegex: '\\.spec\\.ts$',
    },
    {
      ...shared,
      displayName: 'e2e',
      roots: ['<rootDir>/test/e2e'],
      testRegex: '\\.e2e-spec\\.ts$',
    },
  ],
  globalSetup: '<rootDir>/test/setup/global-setup.mjs',
  globalTeardown: '<rootDir>/test/setup/global-teardown.mjs',
  // The database tiers wait more than they compute (leases, retries, child processes, fake
  // gateways): a third worker on two cores overlaps those waits (about 2 min instead of 2½).
  maxWorkers: 3,
  testTimeout: 60000,
};
