/** `npx nx run trainer:compare [-- OPTIONS]`: see `--help` and compare/compare.ts. */
import { UsageError } from './cli/args.ts';
import { workspaceRoot } from './cli/paths.ts';
import { generatePhantoms } from './adapters/dataset.ts';
import { compare } from './compare/compare.ts';
import { compareUsage, parseCompareArgs } from './compare/compare-args.ts';
import { runTsxChild } from './compare/child-process.ts';

async function main(): Promise<number> {
  let options;
  try {
    options = parseCompareArgs(process.argv.slice(2));
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`compare: ${e.message}\n(see --help)`);
      return 2;
    }
    throw e;
  }
  if (options.help) {
    console.log(compareUsage());
    return 0;
  }
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
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`compare: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
