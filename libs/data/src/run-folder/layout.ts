/**
 * The run folder contract, owned here so that the trainer (which writes it), the evaluator, the
 * report, the models' predictor and the tools (which read it) spell it one way:
 *   RUN_DIR/config.json             the resolved config (defaults filled in; data.path relative to RUN_DIR)
 *   RUN_DIR/split.json              { train: [...patients], validation: [...], seed }
 *   RUN_DIR/events.jsonl            one JSON object per bus event (paths relative to RUN_DIR)
 *   RUN_DIR/metrics.csv             one row per optimizer step
 *   RUN_DIR/.lock                   held by the one trainer writing the folder
 *   RUN_DIR/checkpoints/latest      the last checkpoint (interval, end, Ctrl-C, failure)
 *   RUN_DIR/checkpoints/best        the checkpoint with the best validation Dice
 *   RUN_DIR/evaluation/             what `evaluate` wrote for the report (results.json, evaluation.json, ...)
 *   RUN_DIR/report.html, viewer/    the report and its per-patient viewers
 */
import { basename, dirname, join } from 'node:path';

/** The two checkpoints a run keeps, in the order a reader prefers them. */
export const CHECKPOINT_NAMES = ['best', 'latest'] as const;
export type CheckpointName = (typeof CHECKPOINT_NAMES)[number];

/** Files `evaluate` writes inside its --out folder (RUN_DIR/evaluation for a run's report). */
export const EVALUATION_FILES = {
  predictions: 'predictions',
  results: 'results.json',
  csv: 'results.csv',
  md: 'table.md',
  lesions: 'lesions.csv',
  evaluation: 'evaluation.json',
} as const;

const CHECKPOINTS = 'checkpoints';
const EVALUATION = 'evaluation';

/** Every name of the contract, relative to RUN_DIR. */
export const RUN_FILES = {
  config: 'config.json',
  split: 'split.json',
  events: 'events.jsonl',
  metrics: 'metrics.csv',
  lock: '.lock',
  checkpoints: CHECKPOINTS,
  latest: join(CHECKPOINTS, 'latest'),
  best: join(CHECKPOINTS, 'best'),
  evaluation: EVALUATION,
  results: join(EVALUATION, EVALUATION_FILES.results),
  evaluationSetup: join(EVALUATION, EVALUATION_FILES.evaluation),
  evaluateLog: 'evaluate.log',
  report: 'report.html',
  viewer: 'viewer',
} as const;
export type RunFile = keyof typeof RUN_FILES;

/** RUN_DIR/<the contract's name for `file`>. */
export function runPath(runDir: string, file: RunFile): string {
  return join(runDir, RUN_FILES[file]);
}

/** RUN_DIR/checkpoints/<name>. */
export function checkpointPath(runDir: string, name: CheckpointName): string {
  return join(runDir, CHECKPOINTS, name);
}

/** The run folder of a checkpoint folder RUN_DIR/checkpoints/<name>; null when it is not inside one. */
export function runDirOfCheckpoint(checkpointDir: string): string | null {
  const parent = dirname(checkpointDir);
  return basename(parent) === CHECKPOINTS ? dirname(parent) : null;
}
