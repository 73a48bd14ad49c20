import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    env: {
      // Request logs are tested where they matter (with a logger of the test's own).
      POWERTOOLS_LOG_LEVEL: 'SILENT',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      // Services built from the process environment (the Lambda handlers) in bursty tests.
      RATE_LIMIT_USER_RPS: '1000000',
      RATE_LIMIT_USER_BURST: '1000000',
    },
  },
});
