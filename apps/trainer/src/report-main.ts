/** `npx nx run trainer:report -- --run RUN_DIR`: see `--help` and compare/run-report.ts. */
import path from 'node:path';
import { DEFAULT_DATA_DIR, workspaceRoot } from './cli/paths.ts';
import { runCommand } from './cli/run-command.ts';
import { runTsxChild } from './compare/child-process.ts';
import { parseRunReportArgs, runReport, runReportUsage } from './compare/run-report.ts';

runCommand('report', parseRunReportArgs, runReportUsage, async (options) => {
  const root = workspaceRoot();
  await runReport(options, { workspaceRoot: root, env: process.env, run: runTsxChild, log: (l) => console.error(l), defaultDataDir: path.join(root, DEFAULT_DATA_DIR) });
  return 0;
});
