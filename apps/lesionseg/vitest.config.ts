import { defineConfig } from 'vitest/config';

// watch: false so that `nx run-many -t test` never enters watch mode in a terminal.
export default defineConfig({
  test: {
    watch: false,
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    passWithNoTests: true,
    testTimeout: 60_000,
  },
});
