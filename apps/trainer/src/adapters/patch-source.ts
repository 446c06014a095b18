import { extractBatch, hasPositives, samplePatch, type PreprocessedPatient } from '@lesionseg/data';
import type { PatchBatch, PatchKind, PatchSource, Random } from '@lesionseg/strategies';

/**
 * Patches from the training patients, through the data library's primitives: a uniform patch
 * picks a patient uniformly, then a position; a positive patch picks a patient with new lesions,
 * then one of its lesion voxels, placed at a random position inside the patch. When no training
 * patient has a new lesion, positive requests are served as uniform patches (and
 * `drawnPositive` says so), rather than failing the run.
 */
export class DataPatchSource implements PatchSource {
  private readonly anyPositive: boolean;

  constructor(
    private readonly patients: readonly PreprocessedPatient[],
    private readonly size: number,
  ) {
    if (patients.length === 0) throw new Error('no training patients');
    this.anyPositive = patients.some(hasPositives);
  }

  sample(kinds: readonly PatchKind[], random: Random): Promise<PatchBatch> {
    const specs = kinds.map((kind) => samplePatch(random, this.patients, kind === 'positive' && this.anyPositive ? 'positive' : 'uniform', this.size));
    const b = extractBatch(specs);
    return Promise.resolve({
      images: b.images,
      masks: b.masks,
      count: b.count,
      shape: [this.size, this.size, this.size],
      channels: 2,
      drawnPositive: Uint8Array.from(specs, (s) => (s.kind === 'positive' ? 1 : 0)),
      containsLesion: b.containsLesion,
    });
  }
}
