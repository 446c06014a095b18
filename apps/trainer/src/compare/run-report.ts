/**
 * `trainer:report`: RUN_DIR/report.html for one training run. Evaluates the run's best
 * checkpoint on its validation patients with the evaluator (a separate process, writing
 * RUN_DIR/evaluation/), then draws the learning curve, the scores and the overlays.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { patientFigures, readEvaluation, readRunFolder, writePatientViewers, writeRunReport } from '@lesionseg/report';
import { UsageError } from '../cli/args.ts';
import { intOption, parseOptions } from '../cli/parse.ts';
import { resolveUserPath } from '../cli/paths.ts';
import type { ChildRunner } from './child-process.ts';

export interface RunReportOptions {
  run: string;
  data: string | null;
  evaluate: boolean;
  backend: string | null;
  figures: number;
  help: boolean;
}

export function runReportUsage(): string {
  return `Write RUN_DIR/report.html: training curves, MSSEG-2 scores of the best checkpoint on the
run's validation patients, per-patient and per-lesion tables, Figure-3-style overlays
(radiological, world-oriented) and provenance; and RUN_DIR/viewer/<patient>.html, an
interactive NiiVue viewer per evaluated patient (offline).

Usage: npx nx run trainer:report -- --run RUN_DIR [--data DIR] [--no-evaluate] [--figures N] [--backend NAME]

  --run RUN_DIR   a training run folder (config.json, split.json, events.jsonl, checkpoints/)
  --data DIR      the dataset it was trained on (default: data.path of the run's config.json)
  --no-evaluate   reuse RUN_DIR/evaluation/results.json instead of predicting again
  --figures N     overlay figures (default 3)`;
}

export function parseRunReportArgs(argv: string[]): RunReportOptions {
  const values = parseOptions(argv, {
    run: { type: 'string' },
    data: { type: 'string' },
    'no-evaluate': { type: 'boolean' },
    backend: { type: 'string' },
    figures: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) return { run: '', data: null, evaluate: true, backend: null, figures: 3, help: true };
  if (typeof values.run !== 'string') throw new UsageError('--run RUN_DIR is required');
  return {
    run: values.run,
    data: (values.data as string | undefined) ?? null,
    evaluate: values['no-evaluate'] !== true,
    backend: (values.backend as string | undefined) ?? null,
    figures: intOption('figures', values.figures, 3) as number,
    help: false,
  };
}

export interface RunReportDeps {
  workspaceRoot: string;
  env: NodeJS.ProcessEnv;
  run: ChildRunner;
  log: (line: string) => void;
  defaultDataDir: string;
}

export async function runReport(o: RunReportOptions, deps: RunReportDeps): Promise<string> {
  const runDir = resolveUserPath(o.run, deps.env);
  if (!existsSync(path.join(runDir, 'events.jsonl'))) throw new Error(`${runDir} is not a run folder (no events.jsonl)`);
  const run = await readRunFolder(runDir);
  // The trainer records the dataset it used in config.json (data.path).
  const recorded = (run.config as { data?: { path?: unknown } } | null)?.data?.path;
  // A relative data.path is relative to the run folder (a moved run folder keeps working).
  const recordedDir = typeof recorded === 'string' ? path.resolve(runDir, recorded) : null;
  const dataDir = o.data ? resolveUserPath(o.data, deps.env) : recordedDir && existsSync(recordedDir) ? recordedDir : deps.defaultDataDir;
  const evaluationDir = path.join(runDir, 'evaluation');
  if (o.evaluate) {
    const args = ['--checkpoint', runDir, '--data', dataDir, '--out', evaluationDir, '--patients', `${path.join(runDir, 'split.json')}:validation`, ...(o.backend ? ['--backend', o.backend] : [])];
    deps.log(`evaluating ${runDir} on its validation patients (log: ${path.join(runDir, 'evaluate.log')})`);
    // The evaluator's progress (one line per patient and stage) is shown as it comes, not only logged.
    const onLine = (line: string) => deps.log(`  evaluate: ${line}`);
    const r = await deps.run({ label: 'evaluation', script: path.join(deps.workspaceRoot, 'apps/evaluator/src/evaluate-main.ts'), args, logFile: path.join(runDir, 'evaluate.log'), cwd: deps.workspaceRoot, onLine });
    if (r.exitCode !== 0) throw new Error(`evaluation failed (exit ${r.exitCode}):\n  ${r.tail.join('\n  ')}`);
  }
  const results = path.join(evaluationDir, 'results.json');
  const evaluation = existsSync(results) ? await readEvaluation(results) : null;
  if (!evaluation) deps.log(`no ${results}: the report has the learning curve only`);
  const figures = evaluation ? await patientFigures(evaluation, { count: o.figures }) : [];
  const viewers = evaluation ? await writePatientViewers(runDir, evaluation) : [];
  if (viewers.length > 0) deps.log(`viewers: ${path.join(runDir, 'viewer')}/ (${viewers.length} patients, NiiVue, offline)`);
  const report = await writeRunReport(runDir, { run, evaluation, figures, viewers });
  deps.log(`report: ${report}`);
  return report;
}
