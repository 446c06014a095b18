import { dirname, resolve } from 'node:path';
import { resolveScoreParams, scoreRuns, summarizeCohort } from '@lesionseg/metrics';
import { relativePathsIn, warnSkipped } from '@lesionseg/data';
import type { ScoreCliOptions } from './args.ts';
import { findInputs, type ScorePair } from './inputs.ts';
import { scorePatientFilter } from './select.ts';
import { scoreProvenance } from './provenance.ts';
import { checkMaskGrid, loadMask } from './load.ts';
import { checkDistinct, checkWritable, writeAllOrNone, type NamedPath } from '../output-files.ts';
import type { Bus } from '@lesionseg/events';
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
  checkMaskGrid(gt, pred, opts.ignoreGeometry);
  // World centroids of both masks use the GT affine (the grids are the same, or declared so).
  const s = scoreRuns(
    { runs: gt.runs, spacing: gt.spacing, affine: gt.affine },
    { runs: pred.runs, spacing: pred.spacing, affine: gt.affine },
    resolveScoreParams(opts.params),
  );
  return patientResult(patient, gtPath, predPath, s);
}

/** The whole `evaluator score` command: pair inputs, score every patient, write the outputs. */
/** `bus` receives a `patientDone` (stage score) per patient: the command's progress bar listens there. */
export async function runScore(opts: ScoreCliOptions, bus?: Bus): Promise<ScoreResults> {
  resolveScoreParams(opts.params); // bad parameters fail before any file is read
  const { pairs, unmatched, skipped } = await findInputs(opts.gt, opts.pred, scorePatientFilter(opts));
  skipped.forEach(warnSkipped); // never drop a folder silently (issue 12)
  await checkScoreOutputs(pairs, opts);
  if (unmatched.length > 0 && !opts.quiet) {
    process.stderr.write(`warning: ${unmatched.length} prediction file(s) match no ground-truth patient and are ignored: ${unmatched.join(', ')}\n`);
  }
  return scoreAndWrite(pairs, { ...opts, bus });
}

function scoreOutputs(opts: Pick<ScoreCliOptions, 'out' | 'csv' | 'md' | 'lesionsCsv'>): NamedPath[] {
  const all: (NamedPath | null)[] = [
    { what: '--out', path: opts.out },
    opts.csv ? { what: '--csv', path: opts.csv } : null,
    opts.md ? { what: '--md', path: opts.md } : null,
    opts.lesionsCsv ? { what: '--lesions-csv', path: opts.lesionsCsv } : null,
  ];
  return all.filter((o): o is NamedPath => o !== null);
}

/** Before scoring: every output distinct from the masks and from each other, and writable. */
export async function checkScoreOutputs(pairs: readonly ScorePair[], opts: Pick<ScoreCliOptions, 'out' | 'csv' | 'md' | 'lesionsCsv'>): Promise<void> {
  const outputs = scoreOutputs(opts);
  checkDistinct(
    pairs.flatMap((p) => [
      { what: `the ground truth of ${p.patient}`, path: p.gt },
      { what: `the prediction of ${p.patient}`, path: p.pred },
    ]),
    outputs,
  );
  for (const o of outputs) await checkWritable(o);
}

/**
 * Score given pairs and write results.json (+ the optional CSV / Markdown / lesion tables): the
 * second half of `evaluator score`, also used by `evaluator evaluate` on the patients it predicted.
 */
export async function scoreAndWrite(
  pairs: readonly ScorePair[],
  opts: Pick<ScoreCliOptions, 'gt' | 'pred' | 'out' | 'csv' | 'md' | 'lesionsCsv' | 'params' | 'ignoreGeometry'> & {
    prediction?: Record<string, unknown>;
    bus?: Bus;
  },
): Promise<ScoreResults> {
  const params = resolveScoreParams(opts.params);
  const t0 = Date.now();
  const patients: PatientResult[] = [];
  for (const [k, pair] of pairs.entries()) {
    patients.push(await scoreFiles(pair.patient, pair.gt, pair.pred, { params, ignoreGeometry: opts.ignoreGeometry }));
    opts.bus?.emit('patientDone', { iteration: 0, elapsedMs: Date.now() - t0, patient: pair.patient, done: k + 1, total: pairs.length, stage: 'score' });
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
    provenance: await scoreProvenance(pairs, opts.prediction),
    patients,
    summary: summarizeCohort(patients),
  };
  const text: Record<string, (r: ScoreResults) => string> = { '--out': resultsJson, '--csv': resultsCsv, '--md': resultsMarkdown, '--lesions-csv': lesionsCsv };
  // Paths in each file relative to that file's folder (a moved evaluation or run folder still reads); results stays absolute in memory.
  await writeAllOrNone(scoreOutputs(opts).map((o) => ({ ...o, data: text[o.what](relativePathsIn(dirname(resolve(o.path)), results)) })));
  return results;
}
