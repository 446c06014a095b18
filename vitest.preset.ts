import { defineConfig } from 'vitest/config';

/**
 * The one vitest configuration every project shares. A project's `vitest.config.ts` is one line,
 * `export { default } from '../../vitest.preset.ts';` (from tools/: `'../vitest.preset.ts'`), which is
 * also what makes @nx/vitest infer that project's `test` target.
 * - watch: false so that `nx run-many -t test` never enters watch mode in a terminal.
 * - tests live in `<project>/test/` (README "Layout"; a `*.test.ts` under `src/` fails lint).
 * - passWithNoTests: a new project has a test target before it has tests.
 */
export default defineConfig({
  test: {
    watch: false,
    include: ['test/**/*.test.ts'],
    passWithNoTests: true,
    testTimeout: 60_000,
  },
});
