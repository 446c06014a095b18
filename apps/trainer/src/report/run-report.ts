/**
 * `trainer:report`: RUN_DIR/report.html for one training run. Evaluates the run's best
 * checkpoint on its validation patients with the evaluator (a separate process, writing
 * RUN_DIR/evaluation/), then draws the learning curve, the scores and the overlays.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { runPath, EVALUATION_FILES } from '@lesionseg/data';
import { patientFigures, readEvaluation, readRunFolder, writePatientViewers, writeRunReport } from '@lesionseg/report';
import { UserError } from '@lesionseg/cli';
import { resolveUserPath } from '../cli/paths.ts';
import type { ChildRunner } from '@lesionseg/executors';
import type { RunReportOptions } from './run-report-args.ts';

export type { RunReportOptions } from './run-report-args.ts';
export { parseRunReportArgs, runReportUsage } from './run-report-args.ts';

export interface RunReportDeps {
  workspaceRoot: string;
  env: NodeJS.ProcessEnv;
  run: ChildRunner;
  log: (line: string) => void;
  defaultDataDir: string;
}

export async function runReport(o: RunReportOptions, deps: RunReportDeps): Promise<string> {
  const runDir = resolveUserPath(o.run, deps.env);
  if (!existsSync(runPath(runDir, 'events'))) throw new UserError(`${runDir} is not a run folder (no events.jsonl)`);
  const run = await readRunFolder(runDir);
  // The trainer records the dataset it used in config.json (data.path).
  const recorded = (run.config as { data?: { path?: unknown } } | null)?.data?.path;
  // A relative data.path is relative to the run folder (a moved run folder keeps working).
  const recordedDir = typeof recorded === 'string' ? path.resolve(runDir, recorded) : null;
  const dataDir = o.data ? resolveUserPath(o.data, deps.env) : recordedDir && existsSync(recordedDir) ? recordedDir : deps.defaultDataDir;
  const evaluationDir = runPath(runDir, 'evaluation');
  if (o.evaluate) {
    const args = [
      '--run',
      runDir,
      '--data',
      dataDir,
      '--out',
      evaluationDir,
      '--patients',
      `${runPath(runDir, 'split')}:validation`,
      ...(o.backend ? ['--backend', o.backend] : []),
      ...(o.quiet ? ['--quiet'] : []),
    ];
    deps.log(`evaluating ${runDir} on its validation patients (log: ${runPath(runDir, 'evaluateLog')})`);
    // The evaluator's progress (one line per patient and stage) is shown as it comes, not only logged.
    const onLine = (line: string) => deps.log(`  evaluate: ${line}`);
    const r = await deps.run({
      label: 'evaluation',
      script: path.join(deps.workspaceRoot, 'apps/evaluator/src/evaluate-main.ts'),
      args,
      logFile: runPath(runDir, 'evaluateLog'),
      cwd: deps.workspaceRoot,
      onLine,
    });
    if (r.exitCode !== 0) throw new Error(`evaluation failed (exit ${r.exitCode}):\n  ${r.tail.join('\n  ')}`);
  }
  const results = path.join(evaluationDir, EVALUATION_FILES.results);
  const evaluation = existsSync(results) ? await readEvaluation(results) : null;
  if (!evaluation) deps.log(`no ${results}: the report has the learning curve only`);
  const figures = evaluation ? await patientFigures(evaluation, { count: o.figures }) : [];
  const viewers = evaluation ? await writePatientViewers(runDir, evaluation) : [];
  if (viewers.length > 0) deps.log(`viewers: ${path.join(runDir, 'viewer')}/ (${viewers.length} patients, NiiVue, offline)`);
  const report = await writeRunReport(runDir, { run, evaluation, figures, viewers });
  deps.log(`report: ${report}`);
  return report;
}
