import type { CachedPatient, NiftiImage, PreprocessedPatient, Vec3, Volume } from '@lesionseg/data';
import { binarize, checkSameGrid, preprocessPatient, probabilitiesToOriginal } from '@lesionseg/data';
import { slidingWindowPredict } from '../inference/sliding-window.ts';
import type { PatchBatch } from '../train/patch-batch.ts';
import type { Predictor } from './predictor.ts';

export interface PredictPatientOptions {
  /** Probability at or above which a voxel is a lesion (default 0.5, the paper's; `>=`). */
  threshold?: number;
  /** How overlapping windows are combined (default 'average', the paper's). */
  weighting?: 'average' | 'gaussian';
  /** Windows per forward pass (capped by the memory budget). */
  batchSize?: number;
  /** Windows done / total, after each batch. */
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
  /** Another way to run a batch of windows (e.g. a ReplicaPool's predictPatches, to use every core). */
  predict?: (windows: PatchBatch) => Promise<Float32Array>;
  /** Patient id used in error messages (default 'input'). */
  id?: string;
}

export interface PatientPrediction {
  /** Sigmoid probabilities on the input's own grid (shape, spacing, affine of `flair1`). */
  probabilities: Volume;
  /** 0/1 mask on the input's own grid: probabilities >= threshold. */
  mask: Volume;
  /** The working grid the network saw. */
  workingShape: Vec3;
  workingSpacing: Vec3;
}

/**
 * Preprocess as in training, then split the interleaved 2-channel image (channel fastest) into one
 * volume per channel, which sliding windows take. Done in a function of its own so the interleaved
 * buffer (8 bytes/voxel, ~0.5 GiB for a 0.5 mm brain) can be collected before inference runs.
 */
function workingChannels(id: string, flair1: NiftiImage, flair2: NiftiImage, spacingMm: number | null) {
  const pre = preprocessPatient({ id, baseline: flair1, followup: flair2 }, { spacing: spacingMm ?? flair1.spacing });
  const n = pre.image.length / 2;
  const c0 = new Float32Array(n);
  const c1 = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    c0[i] = pre.image[2 * i];
    c1[i] = pre.image[2 * i + 1];
  }
  return { channels: [c0, c1], shape: pre.shape, spacing: pre.spacing, grid: pre.grid };
}

/**
 * The MSSEG-2 interface: two FLAIRs of one patient (baseline, follow-up) on one grid in, new-lesion
 * probabilities and mask on that same grid out. Same path as training and validation: resample to
 * the working spacing and z-score (preprocessPatient), sliding windows of the patch size, then
 * trilinear back to the input's voxel centres and threshold.
 */
export async function predictPatient(
  predictor: Predictor,
  flair1: NiftiImage,
  flair2: NiftiImage,
  options: PredictPatientOptions = {},
): Promise<PatientPrediction> {
  const id = options.id ?? 'input';
  // Names both files and the difference (preprocessPatient's own check does not know the paths).
  checkSameGrid(id, flair1, flair2);
  const { spacingMm, window, stride } = predictor.preprocessing;
  const pre = workingChannels(id, flair1, flair2, spacingMm);
  const prob = await slidingWindowPredict(predictor.model, pre.channels, pre.shape, {
    window,
    stride,
    weighting: options.weighting ?? 'average',
    batchSize: options.batchSize,
    onProgress: options.onProgress,
    signal: options.signal,
    predict: options.predict,
  });
  const probabilities = probabilitiesToOriginal(prob, pre.grid);
  return {
    probabilities,
    mask: binarize(probabilities, options.threshold ?? 0.5),
    workingShape: pre.shape,
    workingSpacing: pre.spacing,
  };
}

/**
 * The same prediction from a patient read through the preprocessed cache: `box` is the cached
 * head box (ChunkStore.volume), `cached` says where it sits on the full working grid. Windows
 * cover the box only; outside it (air, at least one window away from the head) the
 * probability is 0. Then trilinear back to the original grid and threshold, as predictPatient.
 */
export async function predictCachedPatient(
  predictor: Predictor,
  box: PreprocessedPatient,
  cached: Pick<CachedPatient, 'boxOrigin' | 'grid'>,
  options: PredictPatientOptions = {},
): Promise<PatientPrediction> {
  const { window, stride } = predictor.preprocessing;
  const n = box.image.length / 2;
  const channels = [new Float32Array(n), new Float32Array(n)];
  for (let i = 0; i < n; i++) {
    channels[0][i] = box.image[2 * i];
    channels[1][i] = box.image[2 * i + 1];
  }
  const boxProb = await slidingWindowPredict(predictor.model, channels, box.shape, {
    window,
    stride,
    weighting: options.weighting ?? 'average',
    batchSize: options.batchSize,
    onProgress: options.onProgress,
    signal: options.signal,
    predict: options.predict,
  });
  const g = cached.grid;
  const [X, Y] = g.targetShape;
  const [bx, by, bz] = box.shape;
  const [ox, oy, oz] = cached.boxOrigin;
  const prob = new Float32Array(g.targetShape[0] * g.targetShape[1] * g.targetShape[2]);
  for (let z = 0; z < bz; z++) {
    for (let y = 0; y < by; y++) {
      const src = bx * (y + by * z);
      prob.set(boxProb.subarray(src, src + bx), ox + X * (oy + y + Y * (oz + z)));
    }
  }
  const probabilities = probabilitiesToOriginal(prob, g);
  return { probabilities, mask: binarize(probabilities, options.threshold ?? 0.5), workingShape: g.targetShape, workingSpacing: g.targetSpacing };
}
