import { defineConfig } from 'vitest/config';

// One runner for every workspace. Tests that start collectors or browsers run in forked processes; files run in
// parallel on the 2 cores, tests inside a file run in order.
export default defineConfig({
  test: {
    include: ['{shared,client-sdk,electron,renderer}/test/**/*.test.{ts,tsx}', 'test/**/*.test.ts'],
    pool: 'forks',
    // A temp IC_AUDIT_CONFIG_DIR for the run: signing keys never land in the real home.
    globalSetup: ['test/helpers/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: ['default'],
  },
});
