import type { Vec3 } from '../volume.ts';

/** Everything that shapes a synthetic patient. Ranges are [min, max]. */
export interface PhantomOptions {
  /** Voxels [X, Y, Z]. */
  shape: Vec3;
  /** Voxel size in mm; anisotropic values give thick slices with partial-volume averaging. */
  spacing: Vec3;
  /** Number of new lesions (follow-up only, the ground truth) when the patient has any. */
  newLesions: [number, number];
  /** Probability that a patient has no new lesion at all (a normal MSSEG-2 case). */
  noNewLesionProbability: number;
  /** Number of old lesions (present at both time points, not in the ground truth). */
  baselineLesions: [number, number];
  /** Radius of new lesions in mm (log-uniform): 1 mm ~ 4 mm3, 4 mm ~ 270 mm3. */
  newLesionRadiusMm: [number, number];
  baselineLesionRadiusMm: [number, number];
  /** Lesion intensity relative to white matter. Lower = harder. */
  lesionContrast: [number, number];
  /** Fraction of lesions placed next to a ventricle. */
  periventricular: number;
  /** Rician noise sigma as a fraction of white-matter intensity. */
  noise: number;
  /** Amplitude of the smooth multiplicative bias field (0.1 = +-10 %). */
  biasField: number;
  /** Std of the follow-up's global intensity change (fraction). */
  drift: number;
  /** Std of the residual misalignment of the follow-up: translation (mm) and rotation (degrees). */
  misalignmentMm: number;
  misalignmentDeg: number;
  /** Output units: white matter is about 0.72 * intensityScale. */
  intensityScale: number;
}

/**
 * `realistic`: an adult-sized head at 1 mm with MSSEG-2-like lesion sizes and counts (the CLI's
 * default). `quick`: the trainer's embedded default dataset: a 64^3 head at 1 mm with fewer,
 * larger, high-contrast new lesions, so a small UNet learns it in minutes on a CPU.
 */
export const PHANTOM_PRESETS: Record<'quick' | 'realistic', PhantomOptions> = {
  realistic: {
    shape: [144, 176, 144],
    spacing: [1, 1, 1],
    newLesions: [1, 8],
    noNewLesionProbability: 0.2,
    baselineLesions: [4, 15],
    newLesionRadiusMm: [0.9, 4],
    baselineLesionRadiusMm: [1, 5],
    lesionContrast: [1.35, 1.9],
    periventricular: 0.7,
    noise: 0.04,
    biasField: 0.1,
    drift: 0.04,
    misalignmentMm: 0.3,
    misalignmentDeg: 0.3,
    intensityScale: 500,
  },
  quick: {
    shape: [64, 64, 64],
    spacing: [1, 1, 1],
    newLesions: [2, 5],
    noNewLesionProbability: 0.1,
    baselineLesions: [2, 5],
    newLesionRadiusMm: [2, 4],
    baselineLesionRadiusMm: [1.5, 3.5],
    lesionContrast: [1.6, 2.0],
    periventricular: 0.6,
    noise: 0.03,
    biasField: 0.06,
    drift: 0.02,
    misalignmentMm: 0.15,
    misalignmentDeg: 0.15,
    intensityScale: 500,
  },
};

export type PhantomPreset = keyof typeof PHANTOM_PRESETS;

/** How hard the new lesions are to see; `medium` keeps the preset's values. */
export type PhantomDifficulty = 'easy' | 'medium' | 'hard';

/**
 * Difficulty as overrides: `easy` has bright lesions, little noise and almost no misalignment;
 * `hard` has faint lesions (1.2-1.5x white matter, close to grey matter), more noise, a stronger
 * bias field and intensity drift, and 0.5 mm / 0.5 degree residual misalignment (false
 * "new" signal at every edge).
 */
export const PHANTOM_DIFFICULTY: Record<PhantomDifficulty, Partial<PhantomOptions>> = {
  easy: { lesionContrast: [1.8, 2.2], noise: 0.02, misalignmentMm: 0.1, misalignmentDeg: 0.1, drift: 0.01 },
  medium: {},
  hard: { lesionContrast: [1.2, 1.5], noise: 0.06, biasField: 0.15, drift: 0.08, misalignmentMm: 0.5, misalignmentDeg: 0.5 },
};

/**
 * Most voxels of a phantom: generating one holds several float32 fields of the grid at once
 * (~40 bytes a voxel), so 2^26 voxels is ~2.5 GiB; beyond that the allocation would fail
 * halfway with a RangeError instead of an error naming --shape.
 */
export const MAX_PHANTOM_VOXELS = 2 ** 26;

/** A preset's options with a difficulty level and then explicit overrides applied, checked (errors name the bad key). */
export function phantomOptions(
  preset: PhantomPreset = 'realistic',
  overrides: Partial<PhantomOptions> = {},
  difficulty: PhantomDifficulty = 'medium',
): PhantomOptions {
  const base = PHANTOM_PRESETS[preset];
  if (!base) throw new Error(`unknown phantom preset "${String(preset)}" (known: ${Object.keys(PHANTOM_PRESETS).join(', ')})`);
  const level = PHANTOM_DIFFICULTY[difficulty];
  if (!level) throw new Error(`unknown phantom difficulty "${String(difficulty)}" (known: ${Object.keys(PHANTOM_DIFFICULTY).join(', ')})`);
  const o: PhantomOptions = { ...base, ...level, ...overrides };
  const bad = (key: keyof PhantomOptions, why: string): never => {
    throw new Error(`phantom option ${key} = ${JSON.stringify(o[key])}: ${why}`);
  };
  if (o.shape.length !== 3 || o.shape.some((s) => !Number.isInteger(s) || s < 16)) bad('shape', 'needs three integers >= 16');
  if (o.shape[0] * o.shape[1] * o.shape[2] > MAX_PHANTOM_VOXELS) {
    bad('shape', `needs at most ${MAX_PHANTOM_VOXELS} voxels (e.g. 400x400x400; a 0.5 mm brain is ~290x350x290), got ${o.shape[0] * o.shape[1] * o.shape[2]}`);
  }
  if (o.spacing.length !== 3 || o.spacing.some((s) => !(s > 0))) bad('spacing', 'needs three values > 0');
  for (const key of ['newLesions', 'baselineLesions'] as const) {
    const [a, b] = o[key];
    if (!(Number.isInteger(a) && Number.isInteger(b) && a >= 0 && b >= a)) bad(key, 'needs integers 0 <= min <= max');
  }
  for (const key of ['newLesionRadiusMm', 'baselineLesionRadiusMm', 'lesionContrast'] as const) {
    const [a, b] = o[key];
    if (!(a > 0 && b >= a)) bad(key, 'needs 0 < min <= max');
  }
  for (const key of ['noNewLesionProbability', 'periventricular'] as const) {
    if (!(o[key] >= 0 && o[key] <= 1)) bad(key, 'needs a probability in [0, 1]');
  }
  for (const key of ['noise', 'biasField', 'drift', 'misalignmentMm', 'misalignmentDeg'] as const) {
    if (!(o[key] >= 0)) bad(key, 'needs a value >= 0');
  }
  if (!(o.intensityScale > 0 && o.intensityScale * 2.5 < 32767)) bad('intensityScale', 'needs 0 < value < 13000 (int16 output)');
  return o;
}
