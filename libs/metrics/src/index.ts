// Public API of @lesionseg/metrics: the official MSSEG-2 evaluation (Anima's animaSegPerfAnalyzer
// semantics, docs/msseg2-evaluation.md), on masks held in typed arrays. No I/O, no TensorFlow.
export type { ScoreParams, ScoreParamsInput } from './params.ts';
export { DEFAULT_SCORE_PARAMS, ScoreParamsError, resolveScoreParams, voxelVolumeMm3, minLesionVoxels } from './params.ts';
export type { MaskData, RunMask } from './runs.ts';
export { extractRuns, isLesionValue, intersectionVoxels, forEachRunOverlap } from './runs.ts';
export type { Components, Lesions } from './components.ts';
export { labelComponents, keepLesions } from './components.ts';
export type { OverlapTable, MatchOutcome, MatchReason } from './detection.ts';
export { overlapTable, matchLesion, nonZeroOrder, fullOrder } from './detection.ts';
export { libstdcxxSort } from './std-sort.ts';
export type { LesionGeometry } from './geometry.ts';
export { lesionGeometry, voxelToWorld } from './geometry.ts';
export type { MaskVolume, RunVolume, LesionReport, PatientScore } from './score.ts';
export { scorePatient, scoreRuns, GridMismatchError, GeometryError } from './score.ts';
export type { MeanSem, CohortSummary } from './aggregate.ts';
export { meanSem, summarizeCohort } from './aggregate.ts';
