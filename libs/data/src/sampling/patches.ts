import type { Vec3 } from '../volume.ts';
import { voxelCoords } from '../volume.ts';
import type { Random } from '../random.ts';
import { randInt } from '../random.ts';
import type { PreprocessedPatient } from './patient.ts';

/** What drawing a patch needs of a patient: its grid and positive voxels, not its images (a cached patient gives them without loading any). */
export type SamplingTarget = Pick<PreprocessedPatient, 'id' | 'shape' | 'positives'>;

/** How a patch was chosen. */
export type PatchKind = 'uniform' | 'positive';

/**
 * Where to cut one cubic patch: its lowest corner on the patient's working grid, in voxels.
 * The corner may be negative or the patch may run past the far edge: those voxels are padded.
 */
export interface PatchSpec<P extends SamplingTarget = PreprocessedPatient> {
  patient: P;
  /** [x0, y0, z0] of the patch's first voxel. */
  origin: Vec3;
  /** Edge length P in voxels. */
  size: number;
  kind: PatchKind;
}

/**
 * A patch anywhere in the volume: along each axis the corner is uniform over the positions that
 * keep the patch inside (like MONAI's RandSpatialCrop); an axis shorter than the patch is
 * covered entirely, with the volume placed at a random offset inside the padded patch.
 */
export function uniformPatch<P extends SamplingTarget>(rng: Random, patient: P, size: number): PatchSpec<P> {
  const origin = [0, 1, 2].map((a) => {
    const n = patient.shape[a];
    return n >= size ? randInt(rng, n - size + 1) : -randInt(rng, size - n + 1);
  }) as Vec3;
  return { patient, origin, size, kind: 'uniform' };
}

/**
 * A patch containing a new-lesion voxel: a voxel is drawn uniformly among the patient's
 * positives (so larger lesions are drawn more often, as with nnU-Net's and MONAI's
 * foreground sampling), then placed at a uniformly random position inside the patch (not
 * always the centre, so the model does not learn "lesions are in the middle"). Near a border
 * the patch runs outside the volume and is padded, never shifted or skipped.
 *
 * @throws if the patient has no positive voxel: pick patients with {@link hasPositives}.
 */
export function positivePatch<P extends SamplingTarget>(rng: Random, patient: P, size: number): PatchSpec<P> {
  if (patient.positives.length === 0) {
    throw new Error(`positivePatch: patient ${patient.id} has no new-lesion voxel`);
  }
  const voxel = voxelCoords(patient.shape, patient.positives[randInt(rng, patient.positives.length)]);
  const origin = voxel.map((v) => v - randInt(rng, size)) as Vec3;
  return { patient, origin, size, kind: 'positive' };
}

/** Whether a patient can give positive patches. */
export function hasPositives(patient: SamplingTarget): boolean {
  return patient.positives.length > 0;
}

/**
 * One patch of the given kind from a list of patients: the patient is uniform over all patients
 * for `uniform`, and uniform over the patients with new lesions for `positive`.
 * @throws for `positive` when no patient has a new lesion.
 */
export function samplePatch<P extends SamplingTarget>(rng: Random, patients: readonly P[], kind: PatchKind, size: number): PatchSpec<P> {
  if (patients.length === 0) throw new Error('samplePatch: no patients');
  if (kind === 'uniform') return uniformPatch(rng, patients[randInt(rng, patients.length)], size);
  const withLesions = patients.filter(hasPositives);
  if (withLesions.length === 0) throw new Error('samplePatch: positive patch requested but no patient has a new lesion');
  return positivePatch(rng, withLesions[randInt(rng, withLesions.length)], size);
}
