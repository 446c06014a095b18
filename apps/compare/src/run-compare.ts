/** The work of `lesionseg compare`, loaded by command.ts only when the command runs. */
import type { CommandContext } from '@lesionseg/cli';
import { runTsxChild } from '@lesionseg/executors';
import { generatePhantoms, workspaceRoot } from '@lesionseg/trainer';
import type { CompareOptions } from './compare-args.ts';
import { compare } from './compare.ts';

export async function runCompare(options: CompareOptions, ctx: CommandContext): Promise<number> {
  const result = await compare(options, {
    workspaceRoot: workspaceRoot(),
    env: ctx.env,
    run: runTsxChild,
    log: ctx.log,
    signal: ctx.interruptSignal(),
    generateDefaultData: (dir, config) => {
      const data = config.data as { synthPatients?: number; synthSize?: number };
      return generatePhantoms(dir, data.synthPatients ?? 16, data.synthSize ?? 96, ctx.log);
    },
  });
  return result.failed.length > 0 ? 1 : 0;
}
