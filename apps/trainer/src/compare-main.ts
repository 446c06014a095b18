/** `npx nx run trainer:compare [-- OPTIONS]`: see `--help` and compare/compare.ts. */
import { workspaceRoot } from './cli/paths.ts';
import { runCommand } from './cli/run-command.ts';
import { generatePhantoms } from './adapters/dataset.ts';
import { compare } from './compare/compare.ts';
import { compareUsage, parseCompareArgs } from './compare/compare-args.ts';
import { runTsxChild } from './compare/child-process.ts';

runCommand('compare', parseCompareArgs, compareUsage, async (options) => {
  const result = await compare(options, {
    workspaceRoot: workspaceRoot(),
    env: process.env,
    run: runTsxChild,
    log: (line) => console.error(line),
    generateDefaultData: (dir, config) => {
      const data = config.data as { synthPatients?: number; synthSize?: number };
      return generatePhantoms(dir, data.synthPatients ?? 16, data.synthSize ?? 96, (t) => console.error(t));
    },
  });
  return result.failed.length > 0 ? 1 : 0;
});
