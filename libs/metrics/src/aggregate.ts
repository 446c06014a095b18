import type { PatientScore } from './score.ts';

/** Mean and standard error of one metric over patients. */
export interface MeanSem {
  /** Mean over the finite values (NaN if there are none). */
  mean: number;
  /** Sample standard deviation (n - 1) / sqrt(n); NaN for fewer than two values. */
  sem: number;
  /** Number of values averaged. */
  n: number;
  /** Values excluded because they were NaN (e.g. sensitivity with no GT lesion above 3 mm3). */
  nNaN: number;
}

/** Mean and SEM (n - 1 standard deviation, as scipy.stats.sem), NaN values excluded and counted. */
export function meanSem(values: readonly number[]): MeanSem {
  const ok = values.filter((v) => !Number.isNaN(v));
  const n = ok.length;
  const mean = n > 0 ? ok.reduce((a, b) => a + b, 0) / n : NaN;
  let ss = 0;
  for (const v of ok) ss += (v - mean) * (v - mean);
  const sem = n > 1 ? Math.sqrt(ss / (n - 1)) / Math.sqrt(n) : NaN;
  return { mean, sem, n, nNaN: values.length - n };
}

/** The two halves of the paper's Table 1. */
export interface CohortSummary {
  /** Patients whose GT has lesion voxels (a GT with only tiny lesions counts here). */
  withNewLesions: {
    nPatients: number;
    dice: MeanSem;
    lesionSensitivity: MeanSem;
    lesionPpv: MeanSem;
    lesionF1: MeanSem;
  };
  /** Patients with an empty GT: false-positive lesion count and volume. */
  withoutNewLesions: {
    nPatients: number;
    nPredLesions: MeanSem;
    predLesionVolumeMm3: MeanSem;
  };
}

/** Aggregate per-patient scores as in the paper: per patient first, then mean and SEM per group. */
export function summarizeCohort(
  patients: readonly Pick<PatientScore, 'gtEmpty' | 'dice' | 'lesionSensitivity' | 'lesionPpv' | 'lesionF1' | 'nPredLesions' | 'predLesionVolumeMm3'>[],
): CohortSummary {
  const pos = patients.filter((p) => !p.gtEmpty);
  const neg = patients.filter((p) => p.gtEmpty);
  const col = (k: 'dice' | 'lesionSensitivity' | 'lesionPpv' | 'lesionF1'): MeanSem => meanSem(pos.map((p) => p[k] ?? NaN));
  return {
    withNewLesions: {
      nPatients: pos.length,
      dice: col('dice'),
      lesionSensitivity: col('lesionSensitivity'),
      lesionPpv: col('lesionPpv'),
      lesionF1: col('lesionF1'),
    },
    withoutNewLesions: {
      nPatients: neg.length,
      nPredLesions: meanSem(neg.map((p) => p.nPredLesions)),
      predLesionVolumeMm3: meanSem(neg.map((p) => p.predLesionVolumeMm3)),
    },
  };
}
