/**
 * `lesionseg compare` (= the Nx target trainer:compare): spec and help from ./compare-args.ts,
 * the work loaded only when the command runs, so that `lesionseg --help` stays fast.
 */
import type { Command } from '@lesionseg/cli';
import { COMPARE_SPEC, compareOptions } from './compare-args.ts';

export const compareCommand: Command = {
  ...COMPARE_SPEC,
  async run(ctx) {
    const options = compareOptions(ctx.values);
    const [{ compare }, { runTsxChild }, { generatePhantoms, workspaceRoot }] = await Promise.all([import('./compare.ts'), import('@lesionseg/executors'), import('@lesionseg/trainer')]);
    const result = await compare(options, {
      workspaceRoot: workspaceRoot(),
      env: ctx.env,
      run: runTsxChild,
      log: ctx.log,
      generateDefaultData: (dir, config) => {
        const data = config.data as { synthPatients?: number; synthSize?: number };
        return generatePhantoms(dir, data.synthPatients ?? 16, data.synthSize ?? 96, ctx.log);
      },
    });
    return result.failed.length > 0 ? 1 : 0;
  },
};
