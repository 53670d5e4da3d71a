/**
 * The runtime's tests, against the small fixture services in test/fixtures/ (and an endpoint of
 * their own where they need one); the service's own stack is tested from the repository's test/.
 */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    name: 'local-runtime',
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
