// Three projects: fast pure unit tests; integration tests against a real kube-apiserver + etcd +
// PostgreSQL started once per run by the global setup; and the e2e tier, which only
// `npm run test:e2e` runs (test/e2e/run.ts starts a real node and runs it inside the node's namespaces).
const transform = { '^.+\\.ts$': ['ts-jest', { useESM: true }] };
const common = {
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform,
  testEnvironment: 'node',
};

/** @type {import('jest').Config} */
export default {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
      globalSetup: '<rootDir>/test/harness/global-setup.js',
      globalTeardown: '<rootDir>/test/harness/global-teardown.js',
      setupFilesAfterEnv: ['<rootDir>/test/integration/support/jest-setup.ts'],
      slowTestThreshold: 30,
    },
    {
      ...common,
      displayName: 'e2e',
      // One entry file: the scenarios build on each other (deploy first) and run in the order it imports them.
      testMatch: ['<rootDir>/test/e2e/operator.e2e.ts'],
      globalSetup: '<rootDir>/test/e2e/support/global-setup.js',
      globalTeardown: '<rootDir>/test/e2e/support/global-teardown.js',
      slowTestThreshold: 120,
    },
  ],
};
