// Flip TTA and checkpoint ensembles on toy models: flip-equivariance, symmetric networks gain
// nothing from TTA, and an ensemble of identical checkpoints is the single checkpoint.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NiftiImage } from '@lesionseg/data';
import { selectBackend } from '../../src/backend/index.ts';
import { saveCheckpoint } from '../../src/checkpoint/checkpoint.ts';
import type { PatchBatch } from '../../src/train/patch-batch.ts';
import { predictPatches } from '../../src/train/train-step.ts';
import { createUNet, type UNet } from '../../src/unet/unet.ts';
import { mulberry32 } from '../../src/util/rng.ts';
import { ensembleWindows, loadEnsemble } from '../../src/pipeline/ensemble.ts';
import { PredictorError } from '../../src/pipeline/predictor.ts';
import { predictPatient } from '../../src/pipeline/predict-patient.ts';
import { ALL_FLIPS, averageWindows, flipWindows, withFlipTta } from '../../src/pipeline/tta.ts';

let root: string;
beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'tta-'));
  await selectBackend('cpu', { log: () => {} });
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const OPTIONS = { widths: [4, 8], groups: 2, inChannels: 2 };
const maxDiff = (a: Float32Array, b: Float32Array): number => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);

/** A UNet with random weights and biases (GroupNorm affine included), seeded. */
async function randomUNet(seed: number, symmetric = false): Promise<UNet> {
  const model = createUNet({ ...OPTIONS, seed });
  const rand = mulberry32(seed + 100);
  const w = await model.getWeights();
  for (const [name, v] of w) {
    for (let i = 0; i < v.length; i++) v[i] += (rand() - 0.5) * 0.3;
    const shape = model.params.get(name)?.shape as number[];
    // Kernels [kz, ky, kx, in, out] made mirror-symmetric along each spatial axis: then every
    // layer (zero-padded conv, GroupNorm, 2x pooling on even sides, half-pixel trilinear
    // upsampling) commutes with flips, and so does the whole network.
    if (symmetric && name.endsWith('/kernel') && shape[0] === 3) {
      const io = shape[3] * shape[4];
      const sym = new Float32Array(v.length);
      for (const axes of ALL_FLIPS) {
        const f = flipWindows(v, 1, [3, 3, 3], io, axes);
        for (let i = 0; i < v.length; i++) sym[i] += f[i] / ALL_FLIPS.length;
      }
      v.set(sym);
    }
  }
  model.setWeights(w);
  return model;
}

function windows(count: number, side: number, seed: number): PatchBatch & { shape: [number, number, number] } {
  const rand = mulberry32(seed);
  const images = new Float32Array(count * side ** 3 * 2).map(() => rand() * 2 - 1);
  return { images, count, shape: [side, side, side] as [number, number, number], channels: 2 };
}

describe('flip TTA', () => {
  it('flipWindows mirrors the chosen axes and is its own inverse', () => {
    // 1 block of [z=2, y=1, x=3] x 2 channels: value = 10*(z*3+x) + c.
    const d = Float32Array.from({ length: 12 }, (_, i) => 10 * Math.floor(i / 2) + (i % 2));
    expect(Array.from(flipWindows(d, 1, [2, 1, 3], 2, [2]).subarray(0, 6))).toEqual([20, 21, 10, 11, 0, 1]);
    expect(Array.from(flipWindows(d, 1, [2, 1, 3], 2, [0]).subarray(0, 2))).toEqual([30, 31]);
    for (const axes of ALL_FLIPS) expect(flipWindows(flipWindows(d, 1, [2, 1, 3], 2, axes), 1, [2, 1, 3], 2, axes)).toEqual(d);
  });

  it('is flip-equivariant for any network: TTA(flip x) = flip TTA(x), while the plain network is not', async () => {
    const model = await randomUNet(1);
    const plain = (b: PatchBatch) => predictPatches(model, b);
    const tta = withFlipTta(plain);
    const b = windows(2, 8, 7);
    const flipped = { ...b, images: flipWindows(b.images, 2, b.shape, 2, [0, 2]) };
    const direct = flipWindows(await tta(b), 2, b.shape, 1, [0, 2]);
    expect(maxDiff(await tta(flipped), direct)).toBeLessThan(1e-6);
    const plainDirect = flipWindows(await plain(b), 2, b.shape, 1, [0, 2]);
    expect(maxDiff(await plain(flipped), plainDirect)).toBeGreaterThan(1e-3);
    model.dispose();
  });

  it('changes nothing for a mirror-symmetric network (it is equivariant already)', async () => {
    const model = await randomUNet(2, true);
    const plain = (b: PatchBatch) => predictPatches(model, b);
    const b = windows(2, 8, 9);
    const p = await plain(b);
    // The symmetric model really is equivariant, and TTA then equals the plain prediction.
    expect(maxDiff(await plain({ ...b, images: flipWindows(b.images, 2, b.shape, 2, [1]) }), flipWindows(p, 2, b.shape, 1, [1]))).toBeLessThan(1e-5);
    expect(maxDiff(await withFlipTta(plain)(b), p)).toBeLessThan(1e-5);
    expect(Math.max(...p) - Math.min(...p)).toBeGreaterThan(0.01);
    model.dispose();
  });
});

describe('checkpoint ensembles', () => {
  // Two 12x8x8 volumes (two windows of 8 along x, overlapping): small enough for the cpu backend.
  const image = (seed: number): NiftiImage => {
    const rand = mulberry32(seed);
    const data = new Float32Array(12 * 8 * 8).map(() => 100 + 50 * rand());
    return {
      shape: [12, 8, 8],
      spacing: [1, 1, 1],
      affine: [
        [1, 0, 0, 0],
        [0, 1, 0, 0],
        [0, 0, 1, 0],
        [0, 0, 0, 1],
      ],
      data,
      datatype: 'float32',
      header: {},
    } as unknown as NiftiImage;
  };
  const phantom = { baseline: image(1), followup: image(2) };
  const save = async (dir: string, model: UNet, patchSize = 8): Promise<string> => {
    await saveCheckpoint(join(root, dir), { model, plugins: { preprocessing: { spacingMm: null, patchSize } } });
    return join(root, dir);
  };

  it('an ensemble of identical checkpoints equals the single checkpoint, of two the mean of both', async () => {
    const [m1, m2] = [await randomUNet(3), await randomUNet(4)];
    const [a, a2, b] = [await save('a', m1), await save('a-copy', m1), await save('b', m2)];
    m1.dispose();
    m2.dispose();
    const run = async (dirs: string[], tta = false) => {
      const e = await loadEnsemble(dirs, { log: () => {} });
      try {
        const predict = dirs.length === 1 && !tta ? undefined : ensembleWindows(e.members, { tta });
        return (await predictPatient(e.primary, phantom.baseline, phantom.followup, { predict })).probabilities.data;
      } finally {
        e.dispose();
      }
    };
    const single = await run([a]);
    expect(await run([a, a2])).toEqual(single);
    const other = await run([b]);
    const pair = await run([a, b]);
    expect(
      maxDiff(
        pair,
        single.map((v, i) => (v + other[i]) / 2),
      ),
    ).toBeLessThan(1e-6);
    expect(maxDiff(single, other)).toBeGreaterThan(1e-3);
    // TTA of an identical pair equals TTA of one.
    expect(maxDiff(await run([a, a2], true), await run([a], true))).toBe(0);
  });

  it('refuses checkpoints preprocessed differently, naming both', async () => {
    const m = await randomUNet(5);
    const [a, c] = [await save('p8', m, 8), await save('p16', m, 16)];
    m.dispose();
    await expect(loadEnsemble([a, c], { log: () => {} })).rejects.toThrow(PredictorError);
    await expect(loadEnsemble([a, c], { log: () => {} })).rejects.toThrow(/p16: preprocessing .*window 16.* differs from .*p8 .*window 8/);
  });

  it('averageWindows averages and passes one member through', async () => {
    const b = windows(1, 2, 1);
    const k = (v: number) => () => Promise.resolve(new Float32Array(8).fill(v));
    expect(Array.from(await averageWindows([k(0.2), k(0.6)])(b))).toEqual(Array(8).fill(Math.fround(0.4)));
    const one = k(0.3);
    expect(averageWindows([one])).toBe(one);
  });
});
