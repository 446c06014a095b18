import type { RunMask } from './runs.ts';

/**
 * Connected components of a run-encoded mask with 6-connectivity (face neighbours only), as
 * ITK's ConnectedComponentImageFilter with FullyConnected off: two voxels touching only along an
 * edge or at a corner are different lesions.
 */
export interface Components {
  /** Number of components. Component ids 0..count-1 follow raster order of their first voxel. */
  count: number;
  /** Component id of each run. */
  runComponent: Int32Array;
  /** Voxels per component. */
  size: Float64Array;
  /** Linear index (x + X*(y + Y*z)) of each component's first voxel in raster order. */
  firstVoxel: Float64Array;
}

/**
 * Label the runs: a run touches the runs of the row below (y-1) and the slice below (z-1) whose
 * x ranges overlap. Union-find keeps the smallest run index as root, so the root is the
 * component's first run in raster order.
 */
export function labelComponents(runs: RunMask): Components {
  const [X, Y] = runs.shape;
  const n = runs.count;
  const parent = new Int32Array(n);
  for (let k = 0; k < n; k++) parent[k] = k;
  const find = (k: number): number => {
    let r = k;
    while (parent[r] !== r) r = parent[r];
    while (parent[k] !== r) {
      const next = parent[k];
      parent[k] = r;
      k = next;
    }
    return r;
  };
  const union = (a: number, b: number): void => {
    const ra = find(a);
    const rb = find(b);
    if (ra < rb) parent[rb] = ra;
    else if (rb < ra) parent[ra] = rb;
  };
  const { rowStart, start, end } = runs;
  const link = (prevRow: number, row: number): void => {
    let i = rowStart[prevRow];
    const iEnd = rowStart[prevRow + 1];
    let j = rowStart[row];
    const jEnd = rowStart[row + 1];
    while (i < iEnd && j < jEnd) {
      if (start[i] < end[j] && start[j] < end[i]) union(i, j);
      if (end[i] < end[j]) i++;
      else j++;
    }
  };
  const rows = rowStart.length - 1;
  for (let r = 0; r < rows; r++) {
    if (rowStart[r] === rowStart[r + 1]) continue;
    if (r % Y !== 0) link(r - 1, r);
    if (r >= Y) link(r - Y, r);
  }
  const runComponent = new Int32Array(n);
  const sizes: number[] = [];
  const first: number[] = [];
  let row = 0;
  for (let k = 0; k < n; k++) {
    while (rowStart[row + 1] <= k) row++;
    const root = find(k);
    let c: number;
    if (root === k) {
      c = sizes.length;
      sizes.push(0);
      first.push(start[k] + X * row);
    } else {
      c = runComponent[root];
    }
    runComponent[k] = c;
    sizes[c] += end[k] - start[k];
  }
  return { count: sizes.length, runComponent, size: Float64Array.from(sizes), firstVoxel: Float64Array.from(first) };
}

/**
 * Lesions: the components kept by the size filter, numbered 1..n by decreasing voxel count, ties
 * by raster position of the first voxel (ITK's RelabelComponentImageFilter). Label 0 = dropped.
 */
export interface Lesions {
  count: number;
  /** Lesion label (0 = background / dropped) of each run. */
  runLabel: Int32Array;
  /** Voxels of lesion `label`, index 1..count (index 0 unused). */
  size: Float64Array;
  /** Components dropped by the size filter and their voxels. */
  droppedComponents: number;
  droppedVoxels: number;
  /** Kept voxels (sum of size). */
  keptVoxels: number;
}

/** Apply the size filter (keep iff size >= minVoxels) and relabel by decreasing size. */
export function keepLesions(comps: Components, minVoxels: number): Lesions {
  const kept: number[] = [];
  let droppedVoxels = 0;
  for (let c = 0; c < comps.count; c++) {
    if (comps.size[c] >= minVoxels) kept.push(c);
    else droppedVoxels += comps.size[c];
  }
  // Component ids already follow raster order of the first voxel, so the id is the tie breaker.
  kept.sort((a, b) => comps.size[b] - comps.size[a] || a - b);
  const labelOf = new Int32Array(comps.count);
  const size = new Float64Array(kept.length + 1);
  let keptVoxels = 0;
  kept.forEach((c, k) => {
    labelOf[c] = k + 1;
    size[k + 1] = comps.size[c];
    keptVoxels += comps.size[c];
  });
  const runLabel = new Int32Array(comps.runComponent.length);
  for (let k = 0; k < runLabel.length; k++) runLabel[k] = labelOf[comps.runComponent[k]];
  return {
    count: kept.length,
    runLabel,
    size,
    droppedComponents: comps.count - kept.length,
    droppedVoxels,
    keptVoxels,
  };
}
