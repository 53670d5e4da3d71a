/** The endpoint's tests: each file starts its own endpoint (test/endpoint-fixture.ts), no local stack. */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    name: 'aws-endpoint',
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
