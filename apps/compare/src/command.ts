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
    const { runCompare } = await import('./run-compare.ts');
    return runCompare(options, ctx);
  },
};
