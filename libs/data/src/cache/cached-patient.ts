import type { Vec3 } from '../volume.ts';
import type { GridMapping } from '../preprocess/grid.ts';
import type { EntryHeader } from './format.ts';

/**
 * A patient in the cache, without its images: what sampling needs (the box's shape and
 * positive voxels, the statistics of OHEM's positive fraction and oversampling) and what the
 * inverse needs (grid, box offset). Images are read chunk by chunk through a ChunkStore.
 * `shape` and `positives` are on the cropped head box, so uniform patches are drawn inside it.
 */
export interface CachedPatient {
  id: string;
  /** The cache file. */
  file: string;
  /** Head box [X, Y, Z]: the grid patches are drawn on. */
  shape: Vec3;
  /** Linear indices (x fastest) on the box of the new-lesion voxels, ascending. */
  positives: Uint32Array;
  padValue: [number, number];
  /** First voxel of the box on the full working grid. */
  boxOrigin: Vec3;
  /** The full working grid and its map to the original grid. */
  grid: GridMapping;
}

export function cachedPatient(file: string, h: EntryHeader, positives: Uint32Array): CachedPatient {
  return { id: h.id, file, shape: h.boxShape, positives, padValue: h.padValue, boxOrigin: h.boxOrigin, grid: h.grid };
}
