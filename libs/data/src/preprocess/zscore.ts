/**
 * Z-score one channel of a (possibly interleaved) buffer in place: `(v - mean) / std` over all
 * its voxels, background included (the paper normalises "each FLAIR individually" with no brain
 * mask). Statistics are accumulated in float64. A constant channel (std 0) is only centred.
 * Returns the statistics and the normalised minimum (used as the padding value).
 */
export function zscoreInPlace(data: Float32Array, stride = 1, channel = 0): { mean: number; std: number; min: number } {
  let n = 0;
  let sum = 0;
  for (let i = channel; i < data.length; i += stride, n++) sum += data[i];
  const mean = sum / n;
  let sq = 0;
  for (let i = channel; i < data.length; i += stride) {
    const d = data[i] - mean;
    sq += d * d;
  }
  const std = Math.sqrt(sq / n);
  const scale = std > 0 ? 1 / std : 1;
  let min = Infinity;
  for (let i = channel; i < data.length; i += stride) {
    const v = (data[i] - mean) * scale;
    data[i] = v;
    if (v < min) min = v;
  }
  return { mean, std, min: Math.fround(min) };
}
