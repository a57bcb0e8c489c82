import { defineConfig } from 'vitest/config';

// Tests live under test/: unit tests per layer (test/<layer>/), integration tests that drive
// real gdb-multiarch and Go-built fixtures (test/integration/).
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    pool: 'forks',
    globalSetup: ['test/global-setup.ts'],
  },
});
