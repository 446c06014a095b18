import type { Vec3 } from '../src/index.ts';

/** 26-connected components of a binary volume: voxel counts per component (test helper, flood fill). */
export function componentSizes(data: ArrayLike<number>, shape: Vec3): number[] {
  return labelOf(data, shape).map((c) => c.length);
}

/** Components of `truth` that share no voxel with `pred`, as voxel counts. */
export function missedComponents(truth: ArrayLike<number>, pred: ArrayLike<number>, shape: Vec3): number[] {
  const keep = Float32Array.from({ length: truth.length }, (_, i) => (truth[i] > 0.5 && !(pred[i] > 0.5) ? 1 : 0));
  // A truth component is missed when all its voxels are in `keep`: compare sizes per component.
  const all = labelOf(truth, shape);
  const missed: number[] = [];
  for (const comp of all) if (comp.every((i) => keep[i] === 1)) missed.push(comp.length);
  return missed;
}

function labelOf(data: ArrayLike<number>, shape: Vec3): number[][] {
  const [X, Y, Z] = shape;
  const seen = new Uint8Array(data.length);
  const comps: number[][] = [];
  for (let s = 0; s < data.length; s++) {
    if (seen[s] || !(data[s] > 0.5)) continue;
    seen[s] = 1;
    const comp: number[] = [];
    const stack = [s];
    while (stack.length) {
      const i = stack.pop() as number;
      comp.push(i);
      const x = i % X;
      const y = Math.floor(i / X) % Y;
      const z = Math.floor(i / (X * Y));
      for (let dz = -1; dz <= 1; dz++)
        for (let dy = -1; dy <= 1; dy++)
          for (let dx = -1; dx <= 1; dx++) {
            const a = x + dx;
            const b = y + dy;
            const c = z + dz;
            if (a < 0 || b < 0 || c < 0 || a >= X || b >= Y || c >= Z) continue;
            const j = a + X * (b + Y * c);
            if (!seen[j] && data[j] > 0.5) {
              seen[j] = 1;
              stack.push(j);
            }
          }
    }
    comps.push(comp);
  }
  return comps;
}

export function dice(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let inter = 0;
  let sa = 0;
  let sb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] > 0.5 ? 1 : 0;
    const y = b[i] > 0.5 ? 1 : 0;
    inter += x & y;
    sa += x;
    sb += y;
  }
  return sa + sb === 0 ? 1 : (2 * inter) / (sa + sb);
}
