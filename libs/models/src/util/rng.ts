// The seeded generator every random choice of this lib takes (weight initialisation, tests): one copy, in @lesionseg/data.
export { mulberry32 } from '@lesionseg/data';

/** Uniform values in [-bound, bound), as PyTorch's default Conv3d init draws them. */
export function uniformArray(size: number, bound: number, rand: () => number): Float32Array {
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) out[i] = (rand() * 2 - 1) * bound;
  return out;
}
