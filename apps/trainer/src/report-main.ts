/** `npx nx run trainer:report -- --run RUN_DIR`: see `--help` and compare/run-report.ts. */
import path from 'node:path';
import { UsageError } from './cli/args.ts';
import { DEFAULT_DATA_DIR, workspaceRoot } from './cli/paths.ts';
import { runTsxChild } from './compare/child-process.ts';
import { parseRunReportArgs, runReport, runReportUsage } from './compare/run-report.ts';

async function main(): Promise<number> {
  let options;
  try {
    options = parseRunReportArgs(process.argv.slice(2));
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`report: ${e.message}\n(see --help)`);
      return 2;
    }
    throw e;
  }
  if (options.help) {
    console.log(runReportUsage());
    return 0;
  }
  const root = workspaceRoot();
  await runReport(options, { workspaceRoot: root, env: process.env, run: runTsxChild, log: (l) => console.error(l), defaultDataDir: path.join(root, DEFAULT_DATA_DIR) });
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`report: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
