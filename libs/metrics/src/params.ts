import { UserError } from '@lesionseg/events';
/**
 * Parameters of the MSSEG-2 lesion detection (Anima's animaSegPerfAnalyzer), named by role.
 *
 * The paper (and Commowick et al. 2018) quote "alpha = 10 %, beta = 65 %, gamma = 70 %". Anima's
 * code stores the 0.70 outside-fraction limit in a variable called Beta and the 0.65 cumulative
 * coverage in one called Gamma, so the Greek names are ambiguous. We therefore name options by
 * what they do; the paper's names are accepted as aliases: paper beta = `coverage`,
 * paper gamma = `maxOutside` (the reading under which the paper's numbers equal Anima's defaults;
 * see docs/msseg2-evaluation.md section 8).
 */
export interface ScoreParams {
  /** A lesion is kept iff its volume is strictly greater than this (mm3). Anima `-v`, default 3. */
  minLesionMm3: number;
  /** Minimum covered fraction (strict). Anima `-x`, paper alpha, default 0.10. */
  alpha: number;
  /** Cumulative overlap fraction that ends the detection walk. Anima `-z`, paper beta, default 0.65. */
  coverage: number;
  /** Largest allowed outside fraction of an overlapping lesion. Anima `-y`, paper gamma, default 0.70. */
  maxOutside: number;
}

/** Anima's defaults, which the MSSEG-2 organisers used. */
export const DEFAULT_SCORE_PARAMS: Readonly<ScoreParams> = Object.freeze({
  minLesionMm3: 3,
  alpha: 0.1,
  coverage: 0.65,
  maxOutside: 0.7,
});

/** Partial parameters; `beta`/`gamma` are the paper's names (aliases of coverage/maxOutside). */
export type ScoreParamsInput = Partial<ScoreParams> & { beta?: number; gamma?: number };

/** Thrown for parameters outside their valid range; the message names the option. */
export class ScoreParamsError extends UserError {
  constructor(message: string) {
    super(message);
    this.name = 'ScoreParamsError';
  }
}

/** Fill defaults, resolve the paper aliases and validate ranges. */
export function resolveScoreParams(input: ScoreParamsInput = {}): ScoreParams {
  const pick = (role: 'coverage' | 'maxOutside', alias: 'beta' | 'gamma'): number => {
    const a = input[role];
    const b = input[alias];
    if (a !== undefined && b !== undefined && a !== b) {
      throw new ScoreParamsError(`${role}=${a} and its paper alias ${alias}=${b} disagree; give only one`);
    }
    return a ?? b ?? DEFAULT_SCORE_PARAMS[role];
  };
  const p: ScoreParams = {
    minLesionMm3: input.minLesionMm3 ?? DEFAULT_SCORE_PARAMS.minLesionMm3,
    alpha: input.alpha ?? DEFAULT_SCORE_PARAMS.alpha,
    coverage: pick('coverage', 'beta'),
    maxOutside: pick('maxOutside', 'gamma'),
  };
  const check = (name: string, v: number, ok: boolean, range: string): void => {
    if (!Number.isFinite(v) || !ok) throw new ScoreParamsError(`${name} must be ${range}, got ${v}`);
  };
  check('minLesionMm3', p.minLesionMm3, p.minLesionMm3 >= 0, 'a finite number >= 0');
  check('alpha', p.alpha, p.alpha >= 0 && p.alpha < 1, 'in [0, 1)');
  // coverage = 1 can make Anima read past its candidate array (spec section 5), so it is excluded.
  check('coverage', p.coverage, p.coverage > 0 && p.coverage < 1, 'in (0, 1)');
  check('maxOutside', p.maxOutside, p.maxOutside >= 0 && p.maxOutside <= 1, 'in [0, 1]');
  return p;
}

/** Voxel volume as Anima computes it: (sx * sy) * sz in double, left to right. */
export function voxelVolumeMm3(spacing: readonly [number, number, number]): number {
  return spacing[0] * spacing[1] * spacing[2];
}

/**
 * Minimum kept component size in voxels: floor(min / v) + 1, so a lesion is kept iff its volume
 * is strictly greater than `minLesionMm3` (a lesion of exactly 3 mm3 is dropped).
 */
export function minLesionVoxels(minLesionMm3: number, voxelMm3: number): number {
  return Math.floor(minLesionMm3 / voxelMm3) + 1;
}
