import { defineConfig } from 'vitest/config';

/**
 * Tests that need neither DynamoDB Local (Java) nor Chromium: pure functions, the envelope, the
 * key providers (KMS through a stubbed SDK client) and the CLI's units. `npm run test:unit` runs
 * only these, without the global setup; `npm test` runs them beside the rest. A file belongs here
 * only if nothing it imports starts or injects DynamoDB (test/support/table.ts does).
 */
const UNIT = [
  'test/unit/**/*.test.ts',
  'test/crypto/envelope.test.ts',
  'test/crypto/local-key-provider.test.ts',
  'test/crypto/kms-key-provider.test.ts',
  'test/cli/units.test.ts',
  'test/cli/settings.test.ts',
  'test/cli/dotenv-readers.test.ts',
  'test/cli/dotenv-import.test.ts',
  'test/cli/mask.test.ts',
];

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    env: {
      // Request logs are tested where they matter (with a logger of the test's own).
      POWERTOOLS_LOG_LEVEL: 'SILENT',
      // Metric lines too (test/api/metrics.test.ts writes them where it reads them).
      METRICS: 'off',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      // Services built from the process environment (the Lambda handlers) in bursty tests.
      RATE_LIMIT_USER_RPS: '1000000',
      RATE_LIMIT_USER_BURST: '1000000',
    },
    projects: [
      { extends: true, test: { name: 'unit', include: UNIT } },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts'],
          exclude: UNIT,
          // One in-memory DynamoDB Local for the whole run (test/support/global-setup.ts).
          globalSetup: ['test/support/global-setup.ts'],
        },
      },
    ],
  },
});
