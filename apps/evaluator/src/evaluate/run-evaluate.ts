import { join } from 'node:path';
import type { Container } from 'inversify';
import { listPatients, writeFileAtomic } from '@lesionseg/data';
import { resolvePostProcessor } from '../container.ts';
import { openPredictor, predictPatients, withWorkers, type PredictedPatient } from '../predict/run-predict.ts';
import { selectPatients } from '../predict/patients.ts';
import { checkScoreOutputs, scoreAndWrite } from '../score/run-score.ts';
import { loadMask } from '../score/load.ts';
import type { ScoreResults } from '../score/results.ts';
import type { EvaluateCliOptions } from './args.ts';

/** Files `evaluator evaluate` writes inside --out. */
export const EVALUATE_FILES = {
  predictions: 'predictions',
  results: 'results.json',
  csv: 'results.csv',
  md: 'table.md',
  lesions: 'lesions.csv',
  evaluation: 'evaluation.json',
} as const;

export interface EvaluateResult {
  predicted: PredictedPatient[];
  results: ScoreResults;
  /** How the predictions were made (also written to evaluation.json). */
  evaluation: Record<string, unknown>;
}

/**
 * `evaluator evaluate`: predict the chosen patients into OUT/predictions/, then score them against
 * their ground truths with the score command's code (results.json, results.csv, table.md,
 * lesions.csv), and record how the predictions were made in evaluation.json.
 */
export async function runEvaluate(c: Container, opts: EvaluateCliOptions, context: { baseDir: string; log: (line: string) => void }): Promise<EvaluateResult> {
  const postProcessor = resolvePostProcessor(c, opts.postprocess);
  const all = await listPatients(opts.data, { requireGroundTruth: true });
  const predDir = join(opts.out, EVALUATE_FILES.predictions);
  // Every ground truth is read and validated before the first (slow) prediction, not after the last.
  for (const p of all) await loadMask(p.groundTruth as string, 'ground-truth');
  const predictor = await openPredictor(opts, context.log);
  let predicted: PredictedPatient[];
  let evaluation: Record<string, unknown>;
  try {
    const { patients, description } = await selectPatients(all, opts.patients, { runDir: predictor.runDir, baseDir: context.baseDir });
    await checkScoreOutputs(
      patients.map((p) => ({ patient: p.id, gt: p.groundTruth as string, pred: join(predDir, `${p.id}.nii.gz`) })),
      { out: join(opts.out, EVALUATE_FILES.results), csv: join(opts.out, EVALUATE_FILES.csv), md: join(opts.out, EVALUATE_FILES.md), lesionsCsv: join(opts.out, EVALUATE_FILES.lesions) },
    );
    context.log(`post-processing: ${postProcessor.describe()}; threshold ${opts.threshold}; ${patients.length} patient(s): ${description}`);
    predicted = await withWorkers(predictor, opts.workers, context.log, (predictWindows) =>
      predictPatients(c, predictor, patients, { out: predDir, probabilities: null }, { threshold: opts.threshold, weighting: opts.weighting, postProcessor, predictWindows }, opts.quiet),
    );
    evaluation = {
      checkpoint: predictor.checkpointDir,
      runDir: predictor.runDir,
      weights: predictor.weights,
      backend: predictor.backend,
      preprocessing: predictor.preprocessing,
      threshold: opts.threshold,
      weighting: opts.weighting,
      postprocess: { name: postProcessor.name, description: postProcessor.describe() },
      data: opts.data,
      patients: { spec: opts.patients, description, ids: patients.map((p) => p.id) },
      predictions: predicted.map((p) => ({ patient: p.patient, mask: p.mask, lesionVoxels: p.lesionVoxels, removedComponents: p.removedComponents, seconds: p.seconds })),
      notes: predictor.notes,
    };
    const groundTruth = new Map(patients.map((p) => [p.id, p.groundTruth as string]));
    const pairs = predicted.map((p) => ({ patient: p.patient, gt: groundTruth.get(p.patient) as string, pred: p.mask }));
    const results = await scoreAndWrite(pairs, {
      gt: opts.data,
      pred: predDir,
      out: join(opts.out, EVALUATE_FILES.results),
      csv: join(opts.out, EVALUATE_FILES.csv),
      md: join(opts.out, EVALUATE_FILES.md),
      lesionsCsv: join(opts.out, EVALUATE_FILES.lesions),
      params: {},
      ignoreGeometry: false,
      quiet: opts.quiet,
    });
    await writeFileAtomic(join(opts.out, EVALUATE_FILES.evaluation), `${JSON.stringify(evaluation, null, 2)}\n`);
    return { predicted, results, evaluation };
  } finally {
    predictor.dispose();
  }
}
