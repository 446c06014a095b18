import { join } from 'node:path';
import type { Container } from 'inversify';
import { EVALUATION_FILES, listPatients, relativePathsIn, sha256File, writeFileAtomic, type PatientFiles } from '@lesionseg/data';
import { resolveBus, resolvePostProcessor } from '../container.ts';
import { datasetCacheDir, predictPatients, type PredictedPatient } from '../predict/run-predict.ts';
import { openEnsemble, withWindowPredictor } from '../predict/models.ts';
import { predictionProvenance } from '../predict/provenance.ts';
import { selectPatients } from '../predict/patients.ts';
import { checkScoreOutputs, scoreAndWrite } from '../score/run-score.ts';
import { loadMask } from '../score/load.ts';
import type { ScoreResults } from '../score/results.ts';
import type { EvaluateCliOptions } from './args.ts';

/** Files `evaluator evaluate` writes inside --out (the run folder contract names them). */
const EVALUATE_FILES = EVALUATION_FILES;

/** Where `evaluate --out OUT` keeps its masks (the parts of `evaluate --parts` predict there). */
export function evaluationPredictions(out: string): string {
  return join(out, EVALUATE_FILES.predictions);
}

export interface EvaluateResult {
  predicted: PredictedPatient[];
  results: ScoreResults;
  /** How the predictions were made (also written to evaluation.json). */
  evaluation: Record<string, unknown>;
}

/** SHA-256 of every input FLAIR: which images the predictions were made from. */
async function inputChecksums(
  patients: readonly PatientFiles[],
): Promise<{ patient: string; flair1: string; flair1Sha256: string; flair2: string; flair2Sha256: string }[]> {
  const out = [];
  for (const p of patients)
    out.push({ patient: p.id, flair1: p.baseline, flair1Sha256: await sha256File(p.baseline), flair2: p.followup, flair2Sha256: await sha256File(p.followup) });
  return out;
}

/**
 * `evaluator evaluate`: predict the chosen patients into OUT/predictions/, then score them against
 * their ground truths with the score command's code (results.json, results.csv, table.md,
 * lesions.csv), and record how the predictions were made in evaluation.json.
 */
export async function runEvaluate(c: Container, opts: EvaluateCliOptions, context: { baseDir: string; log: (line: string) => void }): Promise<EvaluateResult> {
  const postProcessor = resolvePostProcessor(c, opts.postprocess);
  const all = await listPatients(opts.data, { requireGroundTruth: true });
  const predDir = evaluationPredictions(opts.out);
  // Every ground truth is read and validated before the first (slow) prediction, not after the last.
  for (const p of all) await loadMask(p.groundTruth as string, 'ground-truth');
  const ensemble = await openEnsemble(opts, context.log);
  const predictor = ensemble.primary;
  let predicted: PredictedPatient[];
  let evaluation: Record<string, unknown>;
  try {
    const { patients, description } = await selectPatients(all, opts.patients, { runDir: predictor.runDir, baseDir: context.baseDir });
    await checkScoreOutputs(
      patients.map((p) => ({ patient: p.id, gt: p.groundTruth as string, pred: join(predDir, `${p.id}.nii.gz`) })),
      {
        out: join(opts.out, EVALUATE_FILES.results),
        csv: join(opts.out, EVALUATE_FILES.csv),
        md: join(opts.out, EVALUATE_FILES.md),
        lesionsCsv: join(opts.out, EVALUATE_FILES.lesions),
      },
    );
    context.log(`post-processing: ${postProcessor.describe()}; threshold ${opts.threshold}; ${patients.length} patient(s): ${description}`);
    const provenance = await predictionProvenance(ensemble, opts);
    predicted = await withWindowPredictor(ensemble, opts, context.log, (predictWindows) =>
      predictPatients(
        c,
        predictor,
        patients,
        { out: predDir, probabilities: null },
        {
          threshold: opts.threshold,
          weighting: opts.weighting,
          postProcessor,
          predictWindows,
          provenance,
          cacheDir: datasetCacheDir(opts.data),
          // --parts predicted them already (each part task checks and skips what is complete).
          keepComplete: opts.parts !== null,
        },
      ),
    );
    evaluation = {
      checkpoint: predictor.checkpointDir,
      checkpoints: provenance.checkpoints,
      tta: opts.tta,
      runDir: predictor.runDir,
      weights: predictor.weights,
      backend: predictor.backend,
      preprocessing: predictor.preprocessing,
      threshold: opts.threshold,
      weighting: opts.weighting,
      postprocess: { name: postProcessor.name, description: postProcessor.describe() },
      data: opts.data,
      patients: { spec: opts.patients, description, ids: patients.map((p) => p.id) },
      predictions: predicted.map((p) => ({
        patient: p.patient,
        mask: p.mask,
        lesionVoxels: p.lesionVoxels,
        removedComponents: p.removedComponents,
        seconds: p.seconds,
      })),
      notes: predictor.notes,
    };
    const prediction = { ...provenance, inputs: await inputChecksums(patients) };
    evaluation.provenance = prediction;
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
      prediction,
      bus: resolveBus(c),
    });
    // Paths relative to --out (RUN_DIR/evaluation for a report), so the folder can move with its data.
    await writeFileAtomic(join(opts.out, EVALUATE_FILES.evaluation), `${JSON.stringify(relativePathsIn(opts.out, evaluation), null, 2)}\n`);
    return { predicted, results, evaluation };
  } finally {
    ensemble.dispose();
  }
}
