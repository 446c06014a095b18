/**
 * Every lesion of a patient in words: its size, whether it was detected (ground truth) or is a
 * true positive (prediction), and why not, as results.json records it. Shared by the report's
 * per-lesion tables and the viewer's lesion list.
 */
import type { LesionReport } from '@lesionseg/metrics';

export type LesionSide = 'gt' | 'pred';

export interface LesionRow {
  side: LesionSide;
  label: number;
  voxels: number;
  volumeMm3: number;
  /** Ground truth: detected; prediction: true positive. */
  matched: boolean;
  /** 'detected', 'missed', 'true positive' or 'false positive'. */
  status: string;
  /** Why, in words (empty when matched). */
  why: string;
  coveredFraction: number | null;
  centroidVoxel: readonly number[];
  centroidWorld: readonly number[] | null;
}

/** The metric's reasons (MatchReason) in the words of msseg2-evaluation.md. */
export function reasonText(side: LesionSide, l: Pick<LesionReport, 'reason' | 'coveredFraction' | 'rejectedBy'>): string {
  const other = side === 'gt' ? 'predicted' : 'ground-truth';
  const covered = l.coveredFraction === null ? '' : ` (${(100 * l.coveredFraction).toFixed(0)}% covered)`;
  switch (l.reason) {
    case 'matched':
      return '';
    case 'insufficientOverlap':
      return `not more than 10% covered by ${other} lesions${covered}`;
    case 'overlapRejected':
      return `${other} lesion ${l.rejectedBy ?? '?'} overlaps it but lies more than 70% outside the ${side === 'gt' ? 'ground-truth' : 'predicted'} lesions${covered}`;
    case 'gtEmpty':
      return 'the patient has no new lesion: every predicted lesion is a false positive';
    default:
      return String(l.reason);
  }
}

export function lesionRows(p: { gtLesions: readonly LesionReport[]; predLesions: readonly LesionReport[] }): LesionRow[] {
  const row = (side: LesionSide, l: LesionReport): LesionRow => ({
    side,
    label: l.label,
    voxels: l.voxels,
    volumeMm3: l.volumeMm3,
    matched: l.matched,
    status: side === 'gt' ? (l.matched ? 'detected' : 'missed') : l.matched ? 'true positive' : 'false positive',
    why: reasonText(side, l),
    coveredFraction: l.coveredFraction,
    centroidVoxel: l.centroidVoxel,
    centroidWorld: l.centroidWorld ?? null,
  });
  return [...p.gtLesions.map((l) => row('gt', l)), ...p.predLesions.map((l) => row('pred', l))];
}
