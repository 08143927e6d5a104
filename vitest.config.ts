import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The fault suite (real bot processes killed and restarted) runs on its own: npm run test:faults.
    exclude: ['test/faults/**', 'node_modules/**'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // Real servers on 127.0.0.1:0 per test file; files run in parallel, each with its own ports.
    pool: 'forks',
  },
});
