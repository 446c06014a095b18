import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import type { Vec3, Volume } from '../src/index.ts';
import { forwardTables, preprocessPatient, probabilitiesToOriginal, resampleMask, resampleTrilinear, workingGrid, zscoreInPlace } from '../src/index.ts';
import { fixture } from './fixtures.ts';

interface TorchCase {
  shape: Vec3;
  scale: Vec3;
  out_shape: Vec3;
  input: number[];
  output: number[];
}
const torchCases = (JSON.parse(readFileSync(fixture('resample.json'), 'utf8')) as { cases: TorchCase[] }).cases;

const diag = (s: Vec3): number[][] => [
  [s[0], 0, 0, 10],
  [0, s[1], 0, -20],
  [0, 0, s[2], 30],
  [0, 0, 0, 1],
];

describe('trilinear resampling against torch.nn.functional.interpolate(align_corners=False)', () => {
  for (const c of torchCases) {
    it(`[${c.shape.join(',')}] x scale [${c.scale.join(',')}]`, () => {
      // Source voxels of 1 mm; target spacing 1/scale gives torch's scale factor exactly.
      const g = workingGrid(c.shape, diag([1, 1, 1]), c.scale.map((s) => 1 / s) as Vec3);
      expect(g.targetShape).toEqual(c.out_shape);
      const out = resampleTrilinear(Float32Array.from(c.input), c.shape, forwardTables(g), new Float32Array(c.output.length));
      let worst = 0;
      for (let i = 0; i < out.length; i++) worst = Math.max(worst, Math.abs(out[i] - c.output[i]));
      expect(worst).toBeLessThan(1e-5);
    });
  }
});

describe('workingGrid', () => {
  it('keeps world positions: working voxel i sits at original coordinate i*step + offset', () => {
    const a = [
      [0.9, 0.1, 0, -80],
      [-0.1, 0.9, 0.05, 100],
      [0, -0.05, 1.2, -50],
      [0, 0, 0, 1],
    ];
    const g = workingGrid([100, 120, 40], a, 0.5);
    const world = (m: number[][], v: number[]): number[] => [0, 1, 2].map((r) => m[r][0] * v[0] + m[r][1] * v[1] + m[r][2] * v[2] + m[r][3]);
    for (const i of [
      [0, 0, 0],
      [7, 300, 12],
      [-0.5, -0.5, -0.5],
    ]) {
      const u = i.map((v, ax) => v * g.step[ax] + g.offset[ax]);
      const d = world(g.targetAffine, i).map((w, k) => w - world(a, u)[k]);
      for (const x of d) expect(Math.abs(x)).toBeLessThan(1e-9);
    }
    // First voxel corners coincide (same field of view).
    const corner = world(g.targetAffine, [-0.5, -0.5, -0.5]);
    world(a, [-0.5, -0.5, -0.5]).forEach((w, k) => expect(corner[k]).toBeCloseTo(w, 9));
    expect(g.targetSpacing).toEqual([0.5, 0.5, 0.5]);
    g.sourceSpacing.forEach((s, k) => expect(s).toBeCloseTo(Math.hypot(a[0][k], a[1][k], a[2][k]), 12));
  });
});

describe('resampleMask keeps small lesions', () => {
  it('a one-voxel lesion becomes a 2x2x2 block when upsampling 1 mm -> 0.5 mm', () => {
    const shape: Vec3 = [5, 5, 5];
    const m = new Uint8Array(125);
    m[2 + 5 * (2 + 5 * 2)] = 1;
    const g = workingGrid(shape, diag([1, 1, 1]), 0.5);
    const w = resampleMask(m, g);
    let count = 0;
    for (let z = 0; z < 10; z++)
      for (let y = 0; y < 10; y++)
        for (let x = 0; x < 10; x++) {
          const v = w[x + 10 * (y + 10 * z)];
          count += v;
          if (v) expect([x, y, z].every((c) => c === 4 || c === 5)).toBe(true);
        }
    expect(count).toBe(8);
  });

  it('a one-voxel lesion survives downsampling 0.5 mm -> 1.5 mm (centre hit)', () => {
    const shape: Vec3 = [9, 9, 9];
    const m = new Uint8Array(729);
    m[1 + 9 * (1 + 9 * 4)] = 1; // not the centre of its 3x3x3 block: nearest alone misses it
    const g = workingGrid(shape, diag([0.5, 0.5, 0.5]), 1.5);
    expect(g.targetShape).toEqual([3, 3, 3]);
    const w = resampleMask(m, g);
    expect(Array.from(w).reduce((s, v) => s + v, 0)).toBe(1);
    expect(w[0 + 3 * (0 + 3 * 1)]).toBe(1);
  });
});

describe('zscoreInPlace', () => {
  it('normalises one interleaved channel to mean 0, std 1 and leaves the other alone', () => {
    const d = new Float32Array(2000);
    for (let i = 0; i < 1000; i++) {
      d[2 * i] = 100 + 30 * Math.sin(i);
      d[2 * i + 1] = i;
    }
    const s = zscoreInPlace(d, 2, 0);
    expect(s.mean).toBeCloseTo(100, 0);
    let m = 0;
    let q = 0;
    for (let i = 0; i < 1000; i++) m += d[2 * i];
    for (let i = 0; i < 1000; i++) q += d[2 * i] ** 2;
    expect(Math.abs(m / 1000)).toBeLessThan(1e-5);
    expect(q / 1000).toBeCloseTo(1, 5);
    expect(d[2 * 999 + 1]).toBe(999);
  });
});

describe('preprocessPatient and its inverse', () => {
  const shape: Vec3 = [12, 10, 6];
  const affine = [
    [-1, 0, 0, 60],
    [0, 1, 0, -50],
    [0, 0, 2, -6],
    [0, 0, 0, 1],
  ];
  const vol = (f: (x: number, y: number, z: number) => number): Volume => {
    const data = new Float32Array(720);
    for (let z = 0, i = 0; z < 6; z++) for (let y = 0; y < 10; y++) for (let x = 0; x < 12; x++, i++) data[i] = f(x, y, z);
    return { shape, spacing: [1, 1, 2], affine, data };
  };
  const baseline = vol((x, y, z) => x + 2 * y + 3 * z);
  const followup = vol((x, y) => 50 - x * y);
  const mask = vol((x, y, z) => (x >= 4 && x < 7 && y >= 3 && y < 5 && z === 2 ? 1 : 0));

  it('stacks two z-scored channels on the 0.5 mm grid with the mask and its positives', () => {
    const p = preprocessPatient({ id: 'p1', baseline, followup, mask });
    expect(p.shape).toEqual([24, 20, 24]);
    expect(p.spacing).toEqual([0.5, 0.5, 0.5]);
    expect(p.image.length).toBe(2 * 24 * 20 * 24);
    // Channel 0 is a linear function of position, so trilinear resampling is exact inside:
    // its z-score must be an affine function of (x, y, z) too. Check order via monotonicity.
    const at = (c: number, x: number, y: number, z: number): number => p.image[c + 2 * (x + 24 * (y + 20 * z))];
    expect(at(0, 5, 5, 5)).toBeLessThan(at(0, 6, 5, 5));
    expect(at(1, 5, 5, 5)).toBeGreaterThan(at(1, 6, 5, 5));
    expect(p.positives.length).toBe(3 * 2 * 1 * (2 * 2 * 4)); // each 1x1x2 mm voxel -> 2x2x4 working voxels
    expect(p.padValue[0]).toBeCloseTo(Math.min(...Array.from({ length: p.image.length / 2 }, (_, i) => p.image[2 * i])), 6);
  });

  it('maps working-grid probabilities back onto the original mask exactly for integer ratios', () => {
    const p = preprocessPatient({ id: 'p1', baseline, followup, mask });
    const back = probabilitiesToOriginal(Float32Array.from(p.mask), p.grid);
    expect(back.shape).toEqual(shape);
    expect(back.affine).toEqual(affine);
    expect(Array.from(back.data)).toEqual(Array.from(mask.data));
  });

  it('refuses time points on different grids, naming the patient', () => {
    const moved = {
      ...followup,
      affine: [
        [-1, 0, 0, 61],
        [0, 1, 0, -50],
        [0, 0, 2, -6],
        [0, 0, 0, 1],
      ],
    };
    expect(() => preprocessPatient({ id: 'p7', baseline, followup: moved })).toThrow(/patient p7: follow-up grid differs/);
  });
});
