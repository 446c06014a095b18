/**
 * x2 trilinear upsampling (align_corners=False, see ops/upsample-trilinear.ts) and its gradient
 * on tfjs's `webgpu` backend, one dispatch each, under the wasm kernels' names
 * ('LesionsegUpsample2x', 'LesionsegUpsample2xGrad') so `upsampleTrilinear2x` takes them and the
 * one registered gradient serves both backends. Composed from tfjs ops it is ~30 slice / concat /
 * stack / mul / add dispatches forward and as many backward.
 *
 * Along one axis of length n, output 2i = 0.75 x[i] + 0.25 x[max(i-1, 0)] and output 2i+1 =
 * 0.75 x[i] + 0.25 x[min(i+1, n-1)]. The forward gathers 2 x 2 x 2 inputs per output; the
 * gradient gathers, per input i and axis, outputs 2i (0.75, +0.25 at i = 0), 2i+1 (0.75, +0.25 at
 * i = n-1), 2i-1 (0.25, i >= 1) and 2i+2 (0.25, i <= n-2): at most 4 x 4 x 4 of dy.
 */
import * as tf from '@tensorflow/tfjs-core';
import { CustomKernels } from '../wasm/kernel-overrides.ts';
import { UPSAMPLE_GRAD_KERNEL, UPSAMPLE_GRADIENT, UPSAMPLE_KERNEL } from '../wasm/upsample-kernel.ts';
import { perItem, runPerItem, type WebgpuBackend } from './program.ts';

type Info = tf.TensorInfo;
type KernelFunc = tf.KernelConfig['kernelFunc'];

/** How many calls ran here (tests assert it). */
export const webgpuUpsampleCounts = { forward: 0, backward: 0 };

/** WGSL: the two taps (index, weight) of output o along an axis of input length n. */
const FORWARD_TAPS = `
fn taps(o : i32, n : i32) -> vec4<f32> {
  let i = o / 2;
  var j = min(i + 1, n - 1);
  if (o % 2 == 0) { j = max(i - 1, 0); }
  return vec4<f32>(f32(i), 0.75, f32(j), 0.25);
}`;

/** WGSL: weight of output o for input i along an axis of input length n (0 when o does not use i). */
const ADJOINT_WEIGHT = `
fn weight(o : i32, i : i32, n : i32) -> f32 {
  if (o < 0 || o >= 2 * n) { return 0.0; }
  let t = o / 2;
  var j = min(t + 1, n - 1);
  if (o % 2 == 0) { j = max(t - 1, 0); }
  var w = 0.0;
  if (t == i) { w = w + 0.75; }
  if (j == i) { w = w + 0.25; }
  return w;
}`;

const upsample: KernelFunc = (args) => {
  const { inputs, backend } = args as unknown as { inputs: { x: Info }; backend: WebgpuBackend };
  const [n, d, h, w, c] = inputs.x.shape;
  const consts = { D: d, H: h, W: w, C: c };
  const body = `
    let ch = i % C;
    let ox = (i / C) % (2 * W);
    let oy = (i / (C * 2 * W)) % (2 * H);
    let oz = (i / (C * 4 * W * H)) % (2 * D);
    let b = i / (C * 8 * W * H * D);
    let tz = taps(oz, D);
    let ty = taps(oy, H);
    let tx = taps(ox, W);
    var s = 0.0;
    for (var a = 0; a < 2; a = a + 1) {
      for (var e = 0; e < 2; e = e + 1) {
        for (var f = 0; f < 2; f = f + 1) {
          let z = i32(tz[2 * a]);
          let y = i32(ty[2 * e]);
          let xx = i32(tx[2 * f]);
          s = s + tz[2 * a + 1] * ty[2 * e + 1] * tx[2 * f + 1] * x[(((b * D + z) * H + y) * W + xx) * C + ch];
        }
      }
    }
    result[i] = s;`;
  const p = perItem('lesionsegUpsample2x', [n, 2 * d, 2 * h, 2 * w, c], ['x'], consts, body, { prelude: FORWARD_TAPS });
  webgpuUpsampleCounts.forward++;
  return runPerItem(backend, p, [inputs.x]);
};

const upsampleGrad: KernelFunc = (args) => {
  const { inputs, backend } = args as unknown as { inputs: { dy: Info }; backend: WebgpuBackend };
  const [n, d2, h2, w2, c] = inputs.dy.shape;
  const [d, h, w] = [d2 / 2, h2 / 2, w2 / 2];
  const consts = { D: d, H: h, W: w, C: c };
  const body = `
    let ch = i % C;
    let ix = (i / C) % W;
    let iy = (i / (C * W)) % H;
    let iz = (i / (C * W * H)) % D;
    let b = i / (C * W * H * D);
    var s = 0.0;
    for (var a = -1; a < 3; a = a + 1) {
      let oz = 2 * iz + a;
      let wz = weight(oz, iz, D);
      if (wz == 0.0) { continue; }
      for (var e = -1; e < 3; e = e + 1) {
        let oy = 2 * iy + e;
        let wy = weight(oy, iy, H);
        if (wy == 0.0) { continue; }
        for (var f = -1; f < 3; f = f + 1) {
          let ox = 2 * ix + f;
          let wx = weight(ox, ix, W);
          if (wx == 0.0) { continue; }
          s = s + wz * wy * wx * dy[(((b * 2 * D + oz) * 2 * H + oy) * 2 * W + ox) * C + ch];
        }
      }
    }
    result[i] = s;`;
  const p = perItem('lesionsegUpsample2xGrad', [n, d, h, w, c], ['dy'], consts, body, { prelude: ADJOINT_WEIGHT });
  webgpuUpsampleCounts.backward++;
  return runPerItem(backend, p, [inputs.dy]);
};

const kernels = new CustomKernels(
  'webgpu',
  [
    [UPSAMPLE_KERNEL, upsample],
    [UPSAMPLE_GRAD_KERNEL, upsampleGrad],
  ],
  UPSAMPLE_GRADIENT,
);

export function registerWebgpuUpsample(): void {
  kernels.register();
}

export function unregisterWebgpuUpsample(): void {
  kernels.unregister();
}
