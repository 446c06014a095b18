/**
 * A batch of training patches as the models library consumes it: contiguous Float32Arrays in
 * channels-last order, `[count, z, y, x, C]` (image C = 2: baseline and follow-up FLAIR;
 * mask C = 1). Structurally it is also a `PatchBatch` of @lesionseg/models (images, masks,
 * count, shape, channels), so a batch goes to `trainStep`/`scorePatches` without copying; the
 * two per-patch flags are what strategies add.
 */
export interface PatchBatch {
  images: Float32Array;
  masks: Float32Array;
  count: number;
  /** Patch size in voxels, [z, y, x] (paper: 32^3). */
  shape: readonly [number, number, number];
  channels: number;
  /** 1 where the patch was drawn as positive (a new-lesion voxel inside it), else 0. */
  drawnPositive: Uint8Array;
  /** 1 where the patch's mask holds at least one new-lesion voxel (what "positive" means in batchMined). */
  containsLesion: Uint8Array;
}

/** How a patch is drawn: around a random new-lesion voxel, or anywhere in the volume. */
export type PatchKind = 'positive' | 'uniform';

export function voxelsPerPatch(batch: Pick<PatchBatch, 'shape'>): number {
  const [z, y, x] = batch.shape;
  return z * y * x;
}

/** Checks the buffer sizes against count and shape; adapters call it on what they build. */
export function assertBatchShape(batch: PatchBatch, where: string): void {
  const v = voxelsPerPatch(batch);
  const expectImages = batch.count * v * batch.channels;
  const expectMasks = batch.count * v;
  if (batch.images.length !== expectImages || batch.masks.length !== expectMasks) {
    throw new Error(
      `${where}: batch of ${batch.count} patches ${batch.shape.join('x')} x${batch.channels} needs ` +
        `${expectImages} image and ${expectMasks} mask values, got ${batch.images.length} and ${batch.masks.length}`,
    );
  }
  if (batch.drawnPositive.length !== batch.count || batch.containsLesion.length !== batch.count) {
    throw new Error(`${where}: per-patch flags must have ${batch.count} entries`);
  }
}

/** Flags patches whose mask has a voxel above 0.5 (masks are 0/1). */
export function lesionFlags(masks: Float32Array, count: number): Uint8Array {
  const per = masks.length / count;
  const flags = new Uint8Array(count);
  for (let p = 0; p < count; p++) {
    const base = p * per;
    for (let i = 0; i < per; i++) {
      if (masks[base + i] > 0.5) {
        flags[p] = 1;
        break;
      }
    }
  }
  return flags;
}

/** Patches [start, end) as views on the same memory (no copy): used to score in chunks. */
export function sliceBatch(batch: PatchBatch, start: number, end: number): PatchBatch {
  const v = voxelsPerPatch(batch);
  return {
    images: batch.images.subarray(start * v * batch.channels, end * v * batch.channels),
    masks: batch.masks.subarray(start * v, end * v),
    count: end - start,
    shape: batch.shape,
    channels: batch.channels,
    drawnPositive: batch.drawnPositive.subarray(start, end),
    containsLesion: batch.containsLesion.subarray(start, end),
  };
}

/** A new contiguous batch holding the given patches in the given order (copies). */
export function selectPatches(batch: PatchBatch, indices: ArrayLike<number>): PatchBatch {
  const v = voxelsPerPatch(batch);
  const iv = v * batch.channels;
  const n = indices.length;
  const images = new Float32Array(n * iv);
  const masks = new Float32Array(n * v);
  const drawnPositive = new Uint8Array(n);
  const containsLesion = new Uint8Array(n);
  for (let k = 0; k < n; k++) {
    const i = indices[k];
    if (!Number.isInteger(i) || i < 0 || i >= batch.count) throw new RangeError(`patch index ${i} outside 0..${batch.count - 1}`);
    images.set(batch.images.subarray(i * iv, (i + 1) * iv), k * iv);
    masks.set(batch.masks.subarray(i * v, (i + 1) * v), k * v);
    drawnPositive[k] = batch.drawnPositive[i];
    containsLesion[k] = batch.containsLesion[i];
  }
  return { images, masks, count: n, shape: batch.shape, channels: batch.channels, drawnPositive, containsLesion };
}

export function countFlags(flags: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < flags.length; i++) n += flags[i];
  return n;
}
