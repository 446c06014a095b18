/**
 * The sliding-window grid (paper: windows of 32, stride 24 => 8 voxels of overlap). Starts go
 * 0, stride, 2 stride, ... and a last window flush with the end of the axis, so the whole
 * volume is covered even when (size - window) is not a multiple of the stride.
 */

/** Window starts along one axis of `size` voxels. A volume smaller than the window gets one window at 0 (padded). */
export function windowStarts(size: number, window: number, stride: number): number[] {
  if (!(window >= 1 && stride >= 1 && stride <= window)) throw new Error(`sliding window: need 1 <= stride (${stride}) <= window (${window})`);
  if (size <= window) return [0];
  const starts: number[] = [];
  for (let s = 0; s + window < size; s += stride) starts.push(s);
  const last = size - window;
  if (starts[starts.length - 1] !== last) starts.push(last);
  return starts;
}

/** Per-voxel weight inside a window along one axis: 1 (plain averaging) or a Gaussian with sigma = window/8 (nnU-Net's choice). */
export function axisWeights(window: number, weighting: 'average' | 'gaussian'): Float32Array {
  const w = new Float32Array(window);
  if (weighting === 'average') return w.fill(1);
  const sigma = window / 8;
  const centre = (window - 1) / 2;
  for (let i = 0; i < window; i++) w[i] = Math.exp(-((i - centre) ** 2) / (2 * sigma * sigma));
  return w;
}

/**
 * Sum over the windows covering each voxel of an axis of the per-axis weight. The grid is a
 * Cartesian product and the weights factor per axis, so the full 3-D normaliser is the product
 * of three of these: no second full-size accumulator is needed.
 */
export function axisNormaliser(size: number, starts: readonly number[], weights: Float32Array): Float64Array {
  const out = new Float64Array(size);
  for (const s of starts) for (let i = 0; i < weights.length && s + i < size; i++) out[s + i] += weights[i];
  return out;
}
