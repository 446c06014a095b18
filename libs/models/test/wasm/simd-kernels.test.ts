/**
 * The WebAssembly SIMD convolution kernels (libs/models/assembly/) against tfjs's pure-JS `cpu`
 * backend, the check that the committed binary is what the sources build to, and the fallback
 * switch.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { relMaxError } from '../fixtures.ts';
import '../../src/register-gradients.ts';
import { mulberry32, uniformArray } from '../../src/util/rng.ts';
import { conv3dPathCounts, registerFastWasmKernels, useSimdKernels, useWinogradConv, unregisterFastWasmKernels } from '../../src/wasm/index.ts';
import { SIMD_FMA_KERNELS_URL, SIMD_KERNELS_URL, simdBuild } from '../../src/wasm/simd-kernels.ts';

const rand = mulberry32(7);
const arr = (shape: number[]) =>
  uniformArray(
    shape.reduce((a, b) => a * b, 1),
    1,
    rand,
  );
type Shape5 = [number, number, number, number, number];

/** y, dx and dfilter of sum(conv3d(x, f) * g) on one backend. */
async function convAndGrads(backend: string, x: Float32Array, xs: Shape5, f: Float32Array, fs: Shape5, pad: 'same' | 'valid', seed: number) {
  if (!(await tf.setBackend(backend))) throw new Error(`${backend} backend failed`);
  const r = mulberry32(seed);
  return tf.tidy(() => {
    const X = tf.tensor5d(x, xs);
    const F = tf.tensor5d(f, fs);
    const y = tf.conv3d(X, F, 1, pad);
    const G = tf.tensor(uniformArray(y.size, 1, r), y.shape);
    const [dx, df] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.conv3d(a as tf.Tensor5D, b as tf.Tensor5D, 1, pad), G)))([X, F]);
    return [y.dataSync(), dx.dataSync(), df.dataSync()];
  });
}

beforeAll(() => registerFastWasmKernels());
afterAll(() => {
  useSimdKernels('auto');
  unregisterFastWasmKernels();
});

describe('SIMD conv3d kernels on the wasm backend', () => {
  // Channel counts that are multiples of 4 (SIMD path for all three kernels) and shapes that
  // exercise the clipped edges: w smaller than the kernel, 'valid', asymmetric kernels, the
  // 8-wide and 4-wide channel tiles and the Ci tail.
  const cases: { xs: Shape5; fs: Shape5; pad: 'same' | 'valid' }[] = [
    { xs: [2, 6, 5, 9, 4], fs: [3, 3, 3, 4, 8], pad: 'same' },
    { xs: [1, 5, 6, 9, 12], fs: [3, 3, 3, 12, 12], pad: 'valid' },
    { xs: [1, 4, 3, 2, 8], fs: [3, 3, 3, 8, 4], pad: 'same' },
    { xs: [2, 5, 4, 11, 8], fs: [3, 1, 2, 8, 16], pad: 'same' },
    { xs: [1, 3, 4, 13, 20], fs: [1, 1, 1, 20, 4], pad: 'same' },
  ];
  it("the head conv's filter gradient (1x1x1, 16 -> 1) takes the heap loop and matches the cpu backend", async () => {
    const xs: Shape5 = [2, 4, 5, 6, 16];
    const fs: Shape5 = [1, 1, 1, 16, 1];
    const x = arr(xs);
    const f = arr(fs);
    const ref = await convAndGrads('cpu', x, xs, f, fs, 'same', 8);
    const before = conv3dPathCounts.pointwise;
    const fast = await convAndGrads('wasm', x, xs, f, fs, 'same', 8);
    expect(conv3dPathCounts.pointwise - before).toBe(1);
    for (let i = 0; i < 3; i++) expect(relMaxError(fast[i], ref[i])).toBeLessThan(2e-6);
  });
  it('the head conv (1x1x1, 16 -> 1) forward takes the SIMD kernel, not the tfjs-op path, and matches the cpu backend', async () => {
    const xs: Shape5 = [2, 3, 5, 7, 16];
    const fs: Shape5 = [1, 1, 1, 16, 1];
    const x = arr(xs);
    const f = arr(fs);
    await tf.setBackend('cpu');
    const ref = tf.tidy(() => tf.conv3d(tf.tensor5d(x, xs), tf.tensor5d(f, fs), 1, 'valid').dataSync());
    await tf.setBackend('wasm');
    const before = { ...conv3dPathCounts };
    const fast = tf.tidy(() => tf.conv3d(tf.tensor5d(x, xs), tf.tensor5d(f, fs), 1, 'valid').dataSync());
    expect([conv3dPathCounts.simd - before.simd, conv3dPathCounts.ops - before.ops]).toEqual([1, 0]);
    expect(relMaxError(fast, ref)).toBeLessThan(2e-6);
  });
  for (const { xs, fs, pad } of cases) {
    it(`match the cpu backend for x ${xs.join('x')}, filter ${fs.join('x')}, ${pad}, all on the SIMD path`, async () => {
      const x = arr(xs);
      const f = arr(fs);
      const seed = Math.floor(rand() * 1e9);
      const ref = await convAndGrads('cpu', x, xs, f, fs, pad, seed);
      const before = { ...conv3dPathCounts };
      const fast = await convAndGrads('wasm', x, xs, f, fs, pad, seed);
      expect(conv3dPathCounts.simd - before.simd).toBe(4); // y twice (once under grads), dx, dfilter
      expect(conv3dPathCounts.ops).toBe(before.ops);
      for (let i = 0; i < 3; i++) expect(relMaxError(fast[i], ref[i]), ['y', 'dx', 'dfilter'][i]).toBeLessThan(2e-6);
    });
  }

  it('fall back to the tfjs-op path per call when channels are not a multiple of 4, with the same results', async () => {
    const xs: Shape5 = [1, 4, 5, 6, 3];
    const fs: Shape5 = [3, 3, 3, 3, 8]; // Ci = 3: dx falls back, y and dfilter stay SIMD
    const x = arr(xs);
    const f = arr(fs);
    const ref = await convAndGrads('cpu', x, xs, f, fs, 'same', 5);
    const before = { ...conv3dPathCounts };
    const fast = await convAndGrads('wasm', x, xs, f, fs, 'same', 5);
    expect([conv3dPathCounts.simd - before.simd, conv3dPathCounts.ops - before.ops]).toEqual([3, 1]);
    for (let i = 0; i < 3; i++) expect(relMaxError(fast[i], ref[i])).toBeLessThan(2e-6);
  });

  it('can be switched off (useSimdKernels("off") -> XNNPACK ops), giving the same numbers', async () => {
    const xs: Shape5 = [2, 5, 6, 7, 8];
    const fs: Shape5 = [3, 3, 3, 8, 8];
    const x = arr(xs);
    const f = arr(fs);
    const simd = await convAndGrads('wasm', x, xs, f, fs, 'same', 3);
    useSimdKernels('off');
    const before = { ...conv3dPathCounts };
    const ops = await convAndGrads('wasm', x, xs, f, fs, 'same', 3);
    useSimdKernels('auto');
    expect([conv3dPathCounts.simd - before.simd, conv3dPathCounts.ops - before.ops]).toEqual([0, 4]);
    for (let i = 0; i < 3; i++) expect(relMaxError(simd[i], ops[i])).toBeLessThan(2e-6);
  });

  it('leave no tensor or heap buffer behind', async () => {
    await tf.setBackend('wasm');
    const X = tf.tensor5d(arr([1, 6, 6, 6, 8]), [1, 6, 6, 6, 8]);
    const F = tf.tensor5d(arr([3, 3, 3, 8, 8]), [3, 3, 3, 8, 8]);
    const step = () =>
      tf.tidy(() =>
        tf
          .grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.conv3d(a as tf.Tensor5D, b as tf.Tensor5D, 1, 'same')))([X, F])
          .map((g) => g.dataSync()),
      );
    step();
    const before = tf.memory();
    for (let i = 0; i < 3; i++) step();
    expect([tf.memory().numTensors, tf.memory().numBytes, tf.memory().numDataBuffers]).toEqual([before.numTensors, before.numBytes, before.numDataBuffers]);
    tf.dispose([X, F]);
  });
});

describe('Winograd F(2x2x2, 3x3x3) for 3x3x3 same convolutions', () => {
  // Odd sizes (partial 2x2x2 blocks and a partial last block of tiles), several samples, and
  // channel counts that put Winograd on the forward conv, the input gradient or both.
  const cases: { xs: Shape5; fs: Shape5; winograd: number }[] = [
    { xs: [2, 5, 7, 9, 8], fs: [3, 3, 3, 8, 16], winograd: 4 }, // y twice (once under grads), dx (Ci' = 16, Co' = 8), dfilter
    { xs: [1, 3, 1, 6, 4], fs: [3, 3, 3, 4, 8], winograd: 3 }, // y twice and dfilter (dx has Co' = 4)
    { xs: [3, 4, 4, 3, 16], fs: [3, 3, 3, 16, 4], winograd: 1 }, // dx only (Co = 4 for y and dfilter)
    { xs: [2, 9, 8, 7, 12], fs: [3, 3, 3, 12, 8], winograd: 3 }, // more tiles than one block of 16; y twice, dfilter
  ];
  for (const { xs, fs, winograd } of cases) {
    it(`matches the cpu backend and the direct kernel: x ${xs.join('x')}, filter ${fs.join('x')}`, async () => {
      const x = arr(xs);
      const f = arr(fs);
      const ref = await convAndGrads('cpu', x, xs, f, fs, 'same', 4);
      const before = { ...conv3dPathCounts };
      const wino = await convAndGrads('wasm', x, xs, f, fs, 'same', 4);
      expect(conv3dPathCounts.winograd - before.winograd).toBe(winograd);
      useWinogradConv(false);
      const mid = conv3dPathCounts.winograd;
      const direct = await convAndGrads('wasm', x, xs, f, fs, 'same', 4);
      useWinogradConv(true);
      expect(conv3dPathCounts.winograd).toBe(mid);
      for (let i = 0; i < 3; i++) {
        expect(relMaxError(wino[i], ref[i]), ['y', 'dx', 'dfilter'][i]).toBeLessThan(5e-6);
        expect(relMaxError(wino[i], direct[i]), ['y', 'dx', 'dfilter'][i]).toBeLessThan(5e-6);
      }
    });
  }
});

describe('simd-kernels.wasm and simd-kernels-fma.wasm', () => {
  const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  for (const [script, url] of [
    ['build:wasm:simd', SIMD_KERNELS_URL],
    ['build:wasm:fma', SIMD_FMA_KERNELS_URL],
  ] as const) {
    it(`${script}: the committed binary is what libs/models/assembly builds to (after editing the sources: npm run build:wasm -w libs/models)`, async () => {
      const args = pkg.scripts[script].split(/\s+/).slice(1);
      const out = mkdtempSync(join(tmpdir(), 'simd-kernels-'));
      try {
        const outFile = join(out, 'k.wasm');
        args[0] = join(root, args[0]); // the entry file, relative to libs/models in the script
        args[args.indexOf('--outFile') + 1] = outFile;
        // Imported by a non-literal name: asc's type declarations redeclare globals (console) for
        // AssemblyScript code and would leak into this project's type check.
        const ascModule = 'assemblyscript/asc';
        const { default: asc } = (await import(ascModule)) as {
          default: { main(args: string[]): Promise<{ error: Error | null; stderr: { toString(): string } }> };
        };
        const { error, stderr } = await asc.main(args);
        expect(error, stderr.toString()).toBeNull();
        expect(Buffer.compare(readFileSync(outFile), readFileSync(url))).toBe(0);
      } finally {
        rmSync(out, { recursive: true, force: true });
      }
    }, 60_000);
  }

  it('auto picks the FMA build here; both builds match the cpu backend', async () => {
    const xs: Shape5 = [2, 6, 5, 9, 8];
    const fs: Shape5 = [3, 3, 3, 8, 12];
    const x = arr(xs);
    const f = arr(fs);
    const ref = await convAndGrads('cpu', x, xs, f, fs, 'same', 9);
    for (const build of ['auto', 'simd', 'fma'] as const) {
      useSimdKernels(build);
      const before = conv3dPathCounts.simd;
      const out = await convAndGrads('wasm', x, xs, f, fs, 'same', 9);
      expect(conv3dPathCounts.simd - before, build).toBe(4);
      expect(simdBuild()).toBe(build === 'simd' ? 'simd' : 'fma'); // Node 20 with the relaxed-SIMD flag, or a newer Node
      for (let i = 0; i < 3; i++) expect(relMaxError(out[i], ref[i]), build).toBeLessThan(2e-6);
    }
    useSimdKernels('auto');
  });
});
