import { join } from 'node:path';
import type { Container } from 'inversify';
import type { NiftiImage, PatientFiles } from '@lesionseg/data';
import { statSync } from 'node:fs';
import { dirname } from 'node:path';
import { defaultCacheDir, listPatients, openCohort, readNifti, writeNifti } from '@lesionseg/data';
import { checkDistinct, checkNiftiName, type NamedPath } from '../output-files.ts';
import {
  loadPredictor,
  predictCachedPatient,
  predictPatient,
  type PatchBatch,
  type PatientPrediction,
  type PredictPatientOptions,
  type Predictor,
} from '@lesionseg/models';
import { existingOutput } from './existing.ts';
import { openEnsemble, withWindowPredictor } from './models.ts';
import { niftiDescrip, predictionProvenance, type PredictionProvenance } from './provenance.ts';
import { resolveBus, resolvePostProcessor } from '../container.ts';
import type { InferenceCliOptions, PredictCliOptions } from './args.ts';
import { partOf } from './parts.ts';
import { selectPatients } from './patients.ts';
import type { PostProcessor } from './postprocess.ts';

/** What one prediction wrote and found. */
export interface PredictedPatient {
  patient: string;
  flair1: string;
  flair2: string;
  mask: string;
  probabilities: string | null;
  lesionVoxels: number;
  lesionVolumeMm3: number;
  removedComponents: number;
  removedVoxels: number;
  seconds: number;
  /** True when predict --data kept complete outputs of an earlier run (no post-processing counts then). */
  skipped?: boolean;
}

export interface PredictSettings {
  threshold: number;
  weighting: 'average' | 'gaussian';
  postProcessor: PostProcessor;
  /** Runs a batch of windows elsewhere (a ReplicaPool over worker threads); default: the main thread. */
  predictWindows?: (windows: PatchBatch) => Promise<Float32Array>;
  /** How the outputs were made: its short form goes into each written NIfTI's descrip. */
  provenance?: PredictionProvenance;
  /** predict --data without --overwrite: keep a patient's outputs when they are complete and were made with the same settings. */
  keepComplete?: boolean;
  /** A dataset's patients are read through this preprocessed cache folder (the trainer's): built once, shared by train, validation, predict, evaluate. */
  cacheDir?: string;
  log?: (line: string) => void;
}

/** The default cache of a dataset given as a folder or as a manifest file (next to it). */
export function datasetCacheDir(data: string): string {
  return defaultCacheDir(statSync(data).isDirectory() ? data : dirname(data));
}

/** Prediction of a dataset patient from its cache entry (built if missing or stale): the head box's windows, 0 outside. */
async function predictThroughCache(
  predictor: Predictor,
  patient: PatientFiles,
  cacheDir: string,
  o: PredictPatientOptions,
  log?: (line: string) => void,
): Promise<PatientPrediction> {
  const { spacingMm, window } = predictor.preprocessing;
  const { patients, store } = await openCohort([patient], { dir: cacheDir, spacingMm, margin: window, memoryMiB: 16, log });
  try {
    return await predictCachedPatient(predictor, await store.volume(patients[0]), patients[0], o);
  } finally {
    store.close();
  }
}

/** Load the checkpoint the options name, with the weights they ask for. */
export function openPredictor(opts: InferenceCliOptions, log: (line: string) => void): Promise<Predictor> {
  return loadPredictor(opts.checkpoint, { backend: opts.backend, useEma: opts.raw ? false : undefined, log });
}

/**
 * One patient: read both FLAIRs, predict, post-process, write the uint8 mask (and optionally the
 * float32 probabilities) with flair1's header, so they overlay it exactly. Writes are atomic.
 */
export async function predictFiles(
  predictor: Predictor,
  files: { id: string; flair1: string; flair2: string; mask: string; probabilities: string | null },
  settings: PredictSettings,
  onWindows?: (done: number, total: number) => void,
  source?: PatientFiles,
): Promise<PredictedPatient> {
  const t0 = Date.now();
  const o: PredictPatientOptions = {
    id: files.id,
    threshold: settings.threshold,
    weighting: settings.weighting,
    onProgress: onWindows,
    predict: settings.predictWindows,
  };
  let flair1: NiftiImage;
  let r: PatientPrediction;
  if (source && settings.cacheDir) {
    // flair1 only for its header (the outputs' template); the voxels come from the cache.
    flair1 = await readNifti(files.flair1);
    r = await predictThroughCache(predictor, source, settings.cacheDir, o, settings.log);
  } else {
    const both = await Promise.all([readNifti(files.flair1), readNifti(files.flair2)]);
    flair1 = both[0];
    r = await predictPatient(predictor, both[0], both[1], o);
  }
  const post = settings.postProcessor.apply(r.mask);
  const descrip = settings.provenance ? niftiDescrip(settings.provenance) : null;
  await writeNifti(files.mask, post.mask, { datatype: 'uint8', template: flair1, description: descrip ?? 'lesionseg new-lesion mask' });
  if (files.probabilities) {
    await writeNifti(files.probabilities, r.probabilities, {
      datatype: 'float32',
      template: flair1,
      description: descrip ?? 'lesionseg new-lesion probability',
    });
  }
  let lesionVoxels = 0;
  for (const v of post.mask.data) lesionVoxels += v;
  const [sx, sy, sz] = flair1.spacing;
  return {
    ...resultFiles(files),
    lesionVoxels,
    lesionVolumeMm3: lesionVoxels * sx * sy * sz,
    removedComponents: post.removedComponents,
    removedVoxels: post.removedVoxels,
    seconds: (Date.now() - t0) / 1000,
  };
}

/**
 * Predict a list of patients into `outDir/<patient>.nii.gz` (the layout `evaluator score --pred`
 * reads). Progress goes to the container's bus (windowsDone, patientDone); the command attaches
 * the progress bar to it.
 */
export async function predictPatients(
  c: Container,
  predictor: Predictor,
  patients: readonly PatientFiles[],
  dirs: { out: string; probabilities: string | null },
  settings: PredictSettings,
): Promise<PredictedPatient[]> {
  const bus = resolveBus(c);
  const t0 = Date.now();
  const out: PredictedPatient[] = [];
  for (const [k, p] of patients.entries()) {
    const files = {
      id: p.id,
      flair1: p.baseline,
      flair2: p.followup,
      mask: join(dirs.out, `${p.id}.nii.gz`),
      probabilities: dirs.probabilities ? join(dirs.probabilities, `${p.id}.nii.gz`) : null,
    };
    const kept = settings.keepComplete && settings.provenance ? await keptOutput(files, settings.provenance.key, settings.log) : null;
    const r =
      kept ??
      (await predictFiles(
        predictor,
        files,
        settings,
        (done, total) =>
          bus.emit('windowsDone', { iteration: 0, elapsedMs: Date.now() - t0, patient: p.id, done, total, patientIndex: k, patients: patients.length }),
        p,
      ));
    out.push(r);
    bus.emit('patientDone', { iteration: 0, elapsedMs: Date.now() - t0, patient: p.id, done: k + 1, total: patients.length, stage: 'predict' });
  }
  return out;
}

/** Before any inference: NIfTI names, and no output that is an input or the other output. */
function checkPredictOutputs(inputs: NamedPath[], out: string, probabilities: string | null): void {
  const outputs: NamedPath[] = [{ what: '--out', path: out }, ...(probabilities ? [{ what: '--probabilities', path: probabilities }] : [])];
  for (const o of outputs) checkNiftiName(o);
  checkDistinct(inputs, outputs);
}

/** The file fields of a patient's result, the same whether it was predicted or kept. */
function resultFiles(files: { id: string; flair1: string; flair2: string; mask: string; probabilities: string | null }) {
  return { patient: files.id, flair1: files.flair1, flair2: files.flair2, mask: files.mask, probabilities: files.probabilities };
}

/** A patient whose earlier outputs are complete, as a result without predicting; null to predict it (saying why when files were there). */
async function keptOutput(
  files: { id: string; flair1: string; flair2: string; mask: string; probabilities: string | null },
  key: string,
  log: ((line: string) => void) | undefined,
): Promise<PredictedPatient | null> {
  const t0 = Date.now();
  const e = await existingOutput(files, key);
  if (!e.complete) {
    if (e.reason) log?.(`${files.id}: predicting again: ${e.reason}`);
    return null;
  }
  log?.(`${files.id}: kept ${files.mask} (complete, same settings; --overwrite predicts it again)`);
  return {
    ...resultFiles(files),
    lesionVoxels: e.lesionVoxels,
    lesionVolumeMm3: e.lesionVolumeMm3,
    removedComponents: 0,
    removedVoxels: 0,
    seconds: (Date.now() - t0) / 1000,
    skipped: true,
  };
}

/** The whole `evaluator predict` command. */
export async function runPredict(
  c: Container,
  opts: PredictCliOptions,
  context: { baseDir: string; log: (line: string) => void },
): Promise<PredictedPatient[]> {
  // Resolve the plugin first: a typo fails before the checkpoint is read.
  const postProcessor = resolvePostProcessor(c, opts.postprocess);
  if (opts.mode === 'files') {
    checkPredictOutputs(
      [
        { what: '--flair1', path: opts.flair1 },
        { what: '--flair2', path: opts.flair2 },
      ],
      opts.out,
      opts.probabilities,
    );
  }
  const all = opts.mode === 'dataset' ? await listPatients(opts.data, { requireGroundTruth: false }) : null;
  if (opts.mode === 'dataset' && all) {
    if (opts.probabilities !== null)
      checkDistinct(
        [],
        [
          { what: '--out', path: opts.out },
          { what: '--probabilities', path: opts.probabilities },
        ],
      );
    checkDistinct(
      all.flatMap((p) => [p.baseline, p.followup, ...(p.groundTruth ? [p.groundTruth] : [])].map((f) => ({ what: `an input of ${p.id}`, path: f }))),
      all.flatMap((p) => [opts.out, ...(opts.probabilities ? [opts.probabilities] : [])].map((d) => ({ what: 'an output', path: join(d, `${p.id}.nii.gz`) }))),
    );
  }
  const ensemble = await openEnsemble(opts, context.log);
  try {
    const predictor = ensemble.primary;
    const provenance = await predictionProvenance(ensemble, opts);
    const settings: PredictSettings = { threshold: opts.threshold, weighting: opts.weighting, postProcessor, provenance, log: context.log };
    if (opts.mode === 'files') {
      context.log(`post-processing: ${postProcessor.describe()}; threshold ${opts.threshold}`);
      const files = { id: 'input', flair1: opts.flair1, flair2: opts.flair2, mask: opts.out, probabilities: opts.probabilities };
      const bus = resolveBus(c);
      const t0 = Date.now();
      const onWindows = (done: number, total: number): void =>
        bus.emit('windowsDone', { iteration: 0, elapsedMs: Date.now() - t0, patient: 'input', done, total, patientIndex: 0, patients: 1 });
      const done = await withWindowPredictor(ensemble, opts, context.log, (predictWindows) =>
        predictFiles(predictor, files, { ...settings, predictWindows }, onWindows),
      );
      bus.emit('patientDone', { iteration: 0, elapsedMs: Date.now() - t0, patient: 'input', done: 1, total: 1, stage: 'predict' });
      return [done];
    }
    const selected = await selectPatients(all as PatientFiles[], opts.patients, { runDir: predictor.runDir, baseDir: context.baseDir });
    const patients = partOf(selected.patients, opts.part);
    const description = opts.part ? `part ${opts.part.index}/${opts.part.count} of ${selected.description}` : selected.description;
    context.log(`post-processing: ${postProcessor.describe()}; threshold ${opts.threshold}; ${patients.length} patient(s): ${description}`);
    return await withWindowPredictor(ensemble, opts, context.log, (predictWindows) =>
      predictPatients(
        c,
        predictor,
        patients,
        { out: opts.out, probabilities: opts.probabilities },
        { ...settings, predictWindows, keepComplete: !opts.overwrite, cacheDir: datasetCacheDir(opts.data) },
      ),
    );
  } finally {
    ensemble.dispose();
  }
}
