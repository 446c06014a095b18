import type { Lesions } from './components.ts';
import type { RunMask } from './runs.ts';
import { forEachRunOverlap } from './runs.ts';
import { libstdcxxSort } from './std-sort.ts';

/**
 * The joint count table M[i][j] (voxels with GT lesion i and predicted lesion j), kept sparse:
 * only non-zero cells of kept lesions (i, j >= 1) are stored, as adjacency lists both ways.
 */
export interface OverlapTable {
  nGt: number;
  nPred: number;
  /** For GT lesion i (1..nGt): predicted labels overlapping it and the voxel counts. */
  gtRows: Map<number, number>[];
  /** For predicted lesion j (1..nPred): GT labels overlapping it and the voxel counts. */
  predRows: Map<number, number>[];
  /** cov_R[i]: voxels of GT lesion i inside any kept predicted lesion. */
  gtCovered: Float64Array;
  /** Voxels of predicted lesion j inside any kept GT lesion (size_T[j] - out_T[j]). */
  predCovered: Float64Array;
  /** Voxels in both raw masks (all components, for Dice). */
  rawIntersection: number;
}

/** Build the overlap table of two run-encoded masks on the same grid. */
export function overlapTable(gtRuns: RunMask, gt: Lesions, predRuns: RunMask, pred: Lesions): OverlapTable {
  const gtRows = Array.from({ length: gt.count + 1 }, () => new Map<number, number>());
  const predRows = Array.from({ length: pred.count + 1 }, () => new Map<number, number>());
  const gtCovered = new Float64Array(gt.count + 1);
  const predCovered = new Float64Array(pred.count + 1);
  let raw = 0;
  const gl = gt.runLabel;
  const pl = pred.runLabel;
  forEachRunOverlap(gtRuns, predRuns, (a, b, len) => {
    raw += len;
    const i = gl[a];
    const j = pl[b];
    if (i === 0 || j === 0) return;
    const row = gtRows[i];
    row.set(j, (row.get(j) ?? 0) + len);
    gtCovered[i] += len;
    predCovered[j] += len;
  });
  for (let i = 1; i <= gt.count; i++) {
    for (const [j, c] of gtRows[i]) predRows[j].set(i, c);
  }
  return { nGt: gt.count, nPred: pred.count, gtRows, predRows, gtCovered, predCovered, rawIntersection: raw };
}

/** Why a lesion was or was not matched. */
export type MatchReason =
  /** Detected (GT side) or true positive (prediction side). */
  | 'matched'
  /** Covered fraction not above alpha: missed (GT) or false positive (prediction). */
  | 'insufficientOverlap'
  /** A large contributor to the overlap lies too much outside the other mask's lesions. */
  | 'overlapRejected';

export interface MatchOutcome {
  matched: boolean;
  reason: MatchReason;
  /** Fraction of the lesion covered by kept lesions of the other mask. */
  coveredFraction: number;
  /** Labels of the other mask examined by the walk, in walk order. */
  examined: number[];
  /** The label whose outside fraction exceeded maxOutside (reason 'overlapRejected'), else null. */
  rejectedBy: number | null;
}

/**
 * Anima's detection test for one lesion (spec section 5): covered fraction must exceed alpha;
 * then the other mask's lesions, by decreasing overlap (libstdc++ tie order), are examined until
 * their cumulative share of the covered part reaches `coverage`; each examined lesion must lie at
 * most `maxOutside` outside every kept lesion of this mask.
 *
 * @param row overlaps of this lesion with the other mask's labels (non-zero only)
 * @param nOther number of kept lesions in the other mask (all are candidates)
 * @param outsideFraction out/size of each label of the other mask (index 1..nOther)
 */
export function matchLesion(
  size: number,
  covered: number,
  row: Map<number, number>,
  nOther: number,
  outsideFraction: Float64Array,
  alpha: number,
  coverage: number,
  maxOutside: number,
): MatchOutcome {
  const coveredFraction = covered / size;
  if (!(coveredFraction > alpha)) {
    return { matched: false, reason: 'insufficientOverlap', coveredFraction, examined: [], rejectedBy: null };
  }
  const examined: number[] = [];
  const overlap = (j: number): number => row.get(j) ?? 0;
  let acc = 0;
  // Non-zero overlaps first (that is where every correct sort puts them) ...
  for (const j of nonZeroOrder(row, nOther)) {
    if (acc >= coverage) break;
    examined.push(j);
    if (outsideFraction[j] > maxOutside) {
      return { matched: false, reason: 'overlapRejected', coveredFraction, examined, rejectedBy: j };
    }
    acc += overlap(j) / covered;
  }
  // ... then, only if rounding kept the cumulative share below `coverage` (possible only with
  // coverage close to 1), the zero-overlap candidates, in the order std::sort leaves them.
  if (!(acc >= coverage) && row.size < nOther) {
    for (const j of fullOrder(row, nOther)) {
      if (row.has(j)) continue;
      if (acc >= coverage) break;
      examined.push(j);
      if (outsideFraction[j] > maxOutside) {
        return { matched: false, reason: 'overlapRejected', coveredFraction, examined, rejectedBy: j };
      }
    }
  }
  return { matched: true, reason: 'matched', coveredFraction, examined, rejectedBy: null };
}

/**
 * The non-zero-overlap candidates in the order Anima's `std::sort` (by decreasing overlap) puts
 * them. With <= 16 candidates libstdc++ runs insertion sort, which is stable: ties keep label
 * order. With more, ties may be permuted, so unless all non-zero overlaps are distinct (then the
 * order is forced) the whole candidate list goes through the libstdc++ emulation.
 */
export function nonZeroOrder(row: Map<number, number>, nOther: number): number[] {
  const nz = Array.from(row.keys()).sort((a, b) => (row.get(b) ?? 0) - (row.get(a) ?? 0) || a - b);
  if (nOther <= 16) return nz;
  for (let k = 1; k < nz.length; k++) {
    if (row.get(nz[k]) === row.get(nz[k - 1])) {
      return Array.from(fullOrder(row, nOther).subarray(0, nz.length));
    }
  }
  return nz;
}

/** All candidates 1..nOther ordered exactly as Anima's `std::sort` on the overlap does. */
export function fullOrder(row: Map<number, number>, nOther: number): Int32Array {
  const all = new Int32Array(nOther);
  for (let k = 0; k < nOther; k++) all[k] = k + 1;
  // Dense keys: the comparator runs O(n log n) times, a Map lookup each time would dominate.
  const key = new Float64Array(nOther + 1);
  for (const [j, c] of row) key[j] = c;
  libstdcxxSort(all, (a, b) => key[a] > key[b]);
  return all;
}
