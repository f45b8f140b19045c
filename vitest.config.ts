import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Integration and browser tests start real local servers; give them room on a 2-core CI box.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // s3rver's listing pages need the legacy OpenSSL provider (see ARCHITECTURE.md §6).
    execArgv: ['--openssl-legacy-provider'],
    reporters: ['default'],
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', POWERTOOLS_LOG_LEVEL: 'ERROR' },
  },
});
