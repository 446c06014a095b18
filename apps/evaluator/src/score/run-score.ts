import { resolveScoreParams, scoreRuns, summarizeCohort } from '@lesionseg/metrics';
import { warnSkipped, writeFileAtomic } from '@lesionseg/data';
import type { ScoreCliOptions } from './args.ts';
import { findInputs, type ScorePair } from './inputs.ts';
import { checkSameGrid, loadMask } from './load.ts';
import { ProgressBar } from './progress.ts';
import type { PatientResult, ScoreResults } from './results.ts';
import { lesionsCsv, patientResult, resultsCsv, resultsJson, resultsMarkdown } from './results.ts';

/** Read one mask pair, validate it and score it. Errors name the offending file. */
export async function scoreFiles(
  patient: string,
  gtPath: string,
  predPath: string,
  opts: Pick<ScoreCliOptions, 'params' | 'ignoreGeometry'>,
): Promise<PatientResult> {
  const gt = await loadMask(gtPath, 'ground-truth');
  const pred = await loadMask(predPath, 'prediction');
  checkSameGrid(gt, pred, opts.ignoreGeometry);
  // World centroids of both masks use the GT affine (the grids are the same, or declared so).
  const s = scoreRuns(
    { runs: gt.runs, spacing: gt.spacing, affine: gt.affine },
    { runs: pred.runs, spacing: pred.spacing, affine: gt.affine },
    resolveScoreParams(opts.params),
  );
  return patientResult(patient, gtPath, predPath, s);
}

/** The whole `evaluator score` command: pair inputs, score every patient, write the outputs. */
export async function runScore(opts: ScoreCliOptions): Promise<ScoreResults> {
  resolveScoreParams(opts.params); // bad parameters fail before any file is read
  const { pairs, unmatched, skipped } = await findInputs(opts.gt, opts.pred);
  skipped.forEach(warnSkipped); // never drop a folder silently (issue 12)
  if (unmatched.length > 0 && !opts.quiet) {
    process.stderr.write(`warning: ${unmatched.length} prediction file(s) match no ground-truth patient and are ignored: ${unmatched.join(', ')}\n`);
  }
  return scoreAndWrite(pairs, opts);
}

/**
 * Score given pairs and write results.json (+ the optional CSV / Markdown / lesion tables): the
 * second half of `evaluator score`, also used by `evaluator evaluate` on the patients it predicted.
 */
export async function scoreAndWrite(
  pairs: readonly ScorePair[],
  opts: Pick<ScoreCliOptions, 'gt' | 'pred' | 'out' | 'csv' | 'md' | 'lesionsCsv' | 'params' | 'ignoreGeometry' | 'quiet'>,
): Promise<ScoreResults> {
  const params = resolveScoreParams(opts.params);
  const bar = new ProgressBar(pairs.length, { enabled: !opts.quiet, prefix: 'score' });
  const patients: PatientResult[] = [];
  for (const [k, pair] of pairs.entries()) {
    patients.push(await scoreFiles(pair.patient, pair.gt, pair.pred, { params, ignoreGeometry: opts.ignoreGeometry }));
    bar.tick(k + 1, pair.patient);
  }
  const results: ScoreResults = {
    params: {
      ...params,
      connectivity: 6,
      ignoreGeometry: opts.ignoreGeometry,
      gt: opts.gt,
      pred: opts.pred,
      semantics: 'MSSEG-2 / Anima animaSegPerfAnalyzer (docs/msseg2-evaluation.md)',
    },
    patients,
    summary: summarizeCohort(patients),
  };
  await writeFileAtomic(opts.out, resultsJson(results));
  if (opts.csv) await writeFileAtomic(opts.csv, resultsCsv(results));
  if (opts.md) await writeFileAtomic(opts.md, resultsMarkdown(results));
  if (opts.lesionsCsv) await writeFileAtomic(opts.lesionsCsv, lesionsCsv(results));
  return results;
}
