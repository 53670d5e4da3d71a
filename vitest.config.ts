/**
 * One `vitest run` for every workspace: the service's tests (test/, against one local stack for the
 * whole run) and each local package's own tests (local/<package>/vitest.config.ts).
 */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'service',
          include: ['test/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          // One local stack for the whole run (LOCAL_STACK=off skips it); workers get its environment.
          globalSetup: ['test/support/global-setup.ts'],
          setupFiles: ['test/support/worker-env.ts'],
        },
      },
      'local/*/vitest.config.ts',
    ],
  },
});
