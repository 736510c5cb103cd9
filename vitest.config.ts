import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Starts a throwaway PostgreSQL server when none is configured and this machine can (see the file).
    globalSetup: ['test/support/postgres-global-setup.ts'],
  },
});
