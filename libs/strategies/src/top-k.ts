/**
 * Indices of the k largest values, largest first; equal values keep index order (so the choice
 * is deterministic). NaN losses rank last: a broken score must not be mined as "hardest".
 */
export function topKIndices(values: ArrayLike<number>, k: number): Int32Array {
  if (!Number.isInteger(k) || k < 0 || k > values.length) {
    throw new RangeError(`top-k: k=${k} must be an integer in 0..${values.length}`);
  }
  const idx = Array.from({ length: values.length }, (_, i) => i);
  const key = (i: number): number => (Number.isNaN(values[i]) ? -Infinity : values[i]);
  idx.sort((a, b) => key(b) - key(a) || a - b);
  return Int32Array.from(idx.slice(0, k));
}

export function mean(values: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i];
  return values.length === 0 ? NaN : s / values.length;
}
