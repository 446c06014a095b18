import type { Vec3 } from '@lesionseg/data';
import type { Lesions } from './components.ts';
import { keepLesions, labelComponents } from './components.ts';
import type { MatchReason, OverlapTable } from './detection.ts';
import { matchLesion, overlapTable } from './detection.ts';
import { lesionGeometry, voxelToWorld } from './geometry.ts';
import type { ScoreParams, ScoreParamsInput } from './params.ts';
import { minLesionVoxels, resolveScoreParams, voxelVolumeMm3 } from './params.ts';
import type { MaskData, RunMask } from './runs.ts';
import { extractRuns } from './runs.ts';
import { UserError } from '@lesionseg/events';

/** A mask on a voxel grid. Lesion voxels: value truncated toward zero is non-zero (Anima). */
export interface MaskVolume {
  data: MaskData;
  /** [X, Y, Z], x fastest: index = x + X * (y + Y * z). */
  shape: Vec3;
  /** Voxel size in mm. */
  spacing: Vec3;
  /** 4x4 voxel -> world matrix; when given, lesion centroids are also reported in world mm. */
  affine?: readonly (readonly number[])[];
}

/** One lesion (kept connected component) of the GT or the prediction, for "which lesion did it miss". */
export interface LesionReport {
  /** 1..n by decreasing size (ties by raster order), the numbering Anima uses. */
  label: number;
  voxels: number;
  volumeMm3: number;
  /** Mean voxel index (x, y, z). */
  centroidVoxel: Vec3;
  /** Centroid in world mm through the affine, or null when no affine was given. */
  centroidWorld: Vec3 | null;
  /** Inclusive voxel bounding box. */
  bboxMin: Vec3;
  bboxMax: Vec3;
  /**
   * GT lesion: detected. Predicted lesion: true positive. False with reason 'gtEmpty' for
   * predicted lesions of a patient without GT lesion voxels (each one is a false positive).
   */
  matched: boolean;
  reason: MatchReason | 'gtEmpty';
  /** Fraction of the lesion inside kept lesions of the other mask (null when GT is empty). */
  coveredFraction: number | null;
  /** Lesions of the other mask overlapping this one, by decreasing overlap (then label). */
  overlaps: { label: number; voxels: number }[];
  /** Labels of the other mask the detection walk examined, in order. */
  examined: number[];
  /** With reason 'overlapRejected': the other mask's lesion lying too much outside. */
  rejectedBy: number | null;
}

/**
 * MSSEG-2 metrics of one patient (spec sections 2-7). Dice and the lesion-level scores are null
 * when the GT mask is empty (the challenge does not produce them); lesionSensitivity is NaN when
 * the GT is not empty but none of its components is larger than the size limit.
 */
export interface PatientScore {
  gtEmpty: boolean;
  dice: number | null;
  lesionSensitivity: number | null;
  lesionPpv: number | null;
  lesionF1: number | null;
  /** Kept GT lesions (nR). */
  nGtLesions: number;
  /** Kept predicted lesions (nT; for a GT-empty patient Anima's NbTestedLesions). */
  nPredLesions: number;
  tpGt: number;
  tpPred: number;
  /** Volume of kept predicted lesions (for a GT-empty patient Anima's VolTestedLesions). */
  predLesionVolumeMm3: number;
  gtLesionVolumeMm3: number;
  /** Raw lesion voxels (before the size filter) and their overlap, as used by Dice. */
  gtVoxels: number;
  predVoxels: number;
  intersectionVoxels: number;
  /** Voxel volume (mm3) and minimum lesion size (voxels) the size filter used. */
  voxelVolumeMm3: number;
  minLesionVoxels: number;
  /** Components removed by the size filter. */
  gtSmallComponents: number;
  predSmallComponents: number;
  gtLesions: LesionReport[];
  predLesions: LesionReport[];
}

/** Thrown when the two masks do not share a voxel grid. */
export class GridMismatchError extends UserError {
  constructor(message: string) {
    super(message);
    this.name = 'GridMismatchError';
  }
}

/**
 * A voxel size or affine that cannot measure anything: a zero, negative or non-finite spacing
 * (every lesion would have volume 0 or NaN, so none would pass the size limit) or a non-finite
 * affine (NaN centroids).
 */
export class GeometryError extends UserError {
  constructor(message: string) {
    super(message);
    this.name = 'GeometryError';
  }
}

function checkGeometry(v: { spacing: Vec3; affine?: readonly (readonly number[])[] }, which: string): void {
  if (!v.spacing.every((s) => s > 0 && Number.isFinite(s))) {
    throw new GeometryError(`${which} voxel size [${v.spacing.join(', ')}] mm must be finite and > 0`);
  }
  if (v.affine && !v.affine.every((row) => row.every((x) => Number.isFinite(x)))) {
    throw new GeometryError(`${which} affine has non-finite entries`);
  }
}

/** Score a prediction against a ground truth on the same grid with Anima's MSSEG-2 rules. */
export function scorePatient(gt: MaskVolume, pred: MaskVolume, params: ScoreParamsInput = {}): PatientScore {
  if (gt.shape.some((n, a) => n !== pred.shape[a])) {
    throw new GridMismatchError(`grid shapes differ: ground truth ${gt.shape.join('x')}, prediction ${pred.shape.join('x')}`);
  }
  return scoreRuns(
    { runs: extractRuns(gt.data, gt.shape), spacing: gt.spacing, affine: gt.affine },
    { runs: extractRuns(pred.data, pred.shape), spacing: pred.spacing, affine: pred.affine ?? gt.affine },
    resolveScoreParams(params),
  );
}

/** A run-encoded mask plus its geometry (for callers that already hold runs). */
export interface RunVolume {
  runs: RunMask;
  spacing: Vec3;
  affine?: readonly (readonly number[])[];
}

/** {@link scorePatient} on run-encoded masks with resolved parameters. */
export function scoreRuns(gt: RunVolume, pred: RunVolume, p: ScoreParams): PatientScore {
  checkGeometry(gt, 'ground-truth');
  checkGeometry(pred, 'prediction');
  const gtEmpty = gt.runs.voxels === 0;
  // GT-empty patients use the prediction's spacing; otherwise the GT spacing serves both masks.
  const spacing = gtEmpty ? pred.spacing : gt.spacing;
  const v = voxelVolumeMm3(spacing);
  const minVox = minLesionVoxels(p.minLesionMm3, v);
  const gtL = keepLesions(labelComponents(gt.runs), minVox);
  const predL = keepLesions(labelComponents(pred.runs), minVox);
  const table = overlapTable(gt.runs, gtL, pred.runs, predL);

  const base = {
    gtEmpty,
    nGtLesions: gtL.count,
    nPredLesions: predL.count,
    predLesionVolumeMm3: predL.keptVoxels * v,
    gtLesionVolumeMm3: gtL.keptVoxels * v,
    gtVoxels: gt.runs.voxels,
    predVoxels: pred.runs.voxels,
    intersectionVoxels: table.rawIntersection,
    voxelVolumeMm3: v,
    minLesionVoxels: minVox,
    gtSmallComponents: gtL.droppedComponents,
    predSmallComponents: predL.droppedComponents,
  };
  if (gtEmpty) {
    const predLesions = reports(pred.runs, predL, v, pred.affine, () => ({
      matched: false,
      reason: 'gtEmpty' as const,
      coveredFraction: null,
      overlaps: [],
      examined: [],
      rejectedBy: null,
    }));
    return { ...base, dice: null, lesionSensitivity: null, lesionPpv: null, lesionF1: null, tpGt: 0, tpPred: 0, gtLesions: [], predLesions };
  }

  const I = table.rawIntersection;
  const U = gt.runs.voxels + pred.runs.voxels - I;
  // Anima's route (Jaccard first); can differ from 2I/(|R|+|T|) in the last bit.
  const J = I / U;
  const dice = (2 * J) / (1 + J);

  const outsidePred = outsideFractions(predL, table.predCovered);
  const outsideGt = outsideFractions(gtL, table.gtCovered);
  const gtLesions = reports(gt.runs, gtL, v, gt.affine, (i) =>
    detail(matchLesion(gtL.size[i], table.gtCovered[i], table.gtRows[i], predL.count, outsidePred, p.alpha, p.coverage, p.maxOutside), table.gtRows[i]),
  );
  const predLesions = reports(pred.runs, predL, v, pred.affine, (j) =>
    detail(matchLesion(predL.size[j], table.predCovered[j], table.predRows[j], gtL.count, outsideGt, p.alpha, p.coverage, p.maxOutside), table.predRows[j]),
  );
  const both = gtL.count >= 1 && predL.count >= 1;
  const tpGt = both ? gtLesions.filter((l) => l.matched).length : 0;
  const tpPred = both ? predLesions.filter((l) => l.matched).length : 0;
  const sens = tpGt / gtL.count; // NaN when every GT component was below the size limit
  const ppv = predL.count > 0 ? tpPred / predL.count : 0;
  const f1 = ppv + sens > 0 ? (2 * ppv * sens) / (ppv + sens) : 0;
  return { ...base, dice, lesionSensitivity: sens, lesionPpv: ppv, lesionF1: f1, tpGt, tpPred, gtLesions, predLesions };
}

type MatchPart = Pick<LesionReport, 'matched' | 'reason' | 'coveredFraction' | 'overlaps' | 'examined' | 'rejectedBy'>;

function detail(m: ReturnType<typeof matchLesion>, row: Map<number, number>): MatchPart {
  const overlaps = Array.from(row, ([label, voxels]) => ({ label, voxels })).sort((a, b) => b.voxels - a.voxels || a.label - b.label);
  return { matched: m.matched, reason: m.reason, coveredFraction: m.coveredFraction, overlaps, examined: m.examined, rejectedBy: m.rejectedBy };
}

function outsideFractions(l: Lesions, covered: Float64Array): Float64Array {
  const out = new Float64Array(l.count + 1);
  for (let k = 1; k <= l.count; k++) out[k] = (l.size[k] - covered[k]) / l.size[k];
  return out;
}

function reports(runs: RunMask, l: Lesions, v: number, affine: RunVolume['affine'], match: (label: number) => MatchPart): LesionReport[] {
  const geo = lesionGeometry(runs, l);
  const out: LesionReport[] = [];
  for (let k = 1; k <= l.count; k++) {
    const g = geo[k];
    out.push({
      label: k,
      voxels: l.size[k],
      volumeMm3: l.size[k] * v,
      centroidVoxel: g.centroidVoxel,
      centroidWorld: affine ? voxelToWorld(affine, g.centroidVoxel) : null,
      bboxMin: g.bboxMin,
      bboxMax: g.bboxMax,
      ...match(k),
    });
  }
  return out;
}

export type { OverlapTable };
