/**
 * The UNet (unet/unet.ts) as an ONNX graph, opset 17, in ONNX's channels-first layout:
 *   input  "flair"  [batch, 2, depth, height, width] float32 (channel 0 baseline, 1 follow-up,
 *                   z-scored as in training; depth = z, height = y, width = x of the NIfTI grid)
 *   output "logits" [batch, 1, depth, height, width] (sigmoid gives the lesion probability)
 * Spatial sides must be divisible by 2^(levels-1), as for our model.
 *
 * Ops: Conv, Relu, MaxPool, Concat, Resize (linear, half_pixel: PyTorch's trilinear with
 * align_corners=False, which is what upsampleTrilinear2x computes) and GroupNorm decomposed
 * into Reshape -> ReduceMean / Sub / Mul / ReduceMean / Add / Sqrt / Div (two-pass biased
 * variance, eps inside the root, as torch.nn.GroupNorm; each mean reduced axis by axis, see
 * groupMean) -> Reshape -> Mul gamma -> Add beta.
 * The decomposition is used instead of GroupNormalization (opset 18/21, whose scale/bias
 * semantics changed between those versions) so every ONNX runtime of the last years runs it.
 */
import { GROUP_NORM_EPS } from '../ops/group-norm.ts';
import type { ResolvedUNetOptions } from '../unet/options.ts';
import { blockSpecs, paramSpecs } from '../unet/params.ts';
import { OnnxGraph } from './onnx-graph.ts';

export const ONNX_OPSET = 17;
/** IR version 8 goes with opset 17 (ONNX 1.12). */
export const ONNX_IR_VERSION = 8;
export const ONNX_INPUT = 'flair';
export const ONNX_OUTPUT = 'logits';

/** tfjs conv kernel [kz, ky, kx, in, out] -> ONNX [out, in, kz, ky, kx]. */
export function kernelToOnnx(values: Float32Array, shape: readonly number[]): Float32Array {
  const [kz, ky, kx, cin, cout] = shape;
  const k3 = kz * ky * kx;
  const out = new Float32Array(values.length);
  for (let s = 0; s < k3; s++) for (let i = 0; i < cin; i++) for (let o = 0; o < cout; o++) out[(o * cin + i) * k3 + s] = values[(s * cin + i) * cout + o];
  return out;
}

export interface UNetOnnxOptions {
  producerVersion: string;
  docString?: string;
  /** ModelProto metadata_props (provenance, preprocessing). */
  metadata?: Record<string, string>;
}

/** Serialise a UNet with the given weights (names as paramSpecs) as an ONNX ModelProto. */
export function unetToOnnx(o: ResolvedUNetOptions, weights: ReadonlyMap<string, Float32Array>, options: UNetOnnxOptions): Uint8Array {
  const g = new OnnxGraph();
  const shapes = new Map(paramSpecs(o).map((s) => [s.name, s.shape]));
  const param = (name: string): Float32Array => {
    const v = weights.get(name);
    if (!v) throw new Error(`ONNX export: no weights for parameter "${name}"`);
    return v;
  };
  const conv = (x: string, name: string, outputName?: string): string => {
    const shape = shapes.get(`${name}/kernel`) as number[];
    const [k, , , cin, cout] = shape;
    const w = g.floats(`${name}/kernel`, [cout, cin, k, k, k], kernelToOnnx(param(`${name}/kernel`), shape));
    const b = g.floats(`${name}/bias`, [cout], param(`${name}/bias`));
    const pad = (k - 1) / 2;
    return g.node('Conv', [x, w, b], { kernel_shape: [k, k, k], pads: [pad, pad, pad, pad, pad, pad], strides: [1, 1, 1] }, outputName);
  };
  // Group statistics reduced one axis at a time (x, then y, z, and the group's channels): ONNX
  // runtimes sum a single ReduceMean sequentially in float32, whose error grows with the 65k
  // values a group holds on a 32^3 window (ORT was 2e-5 from our logits, 3e-5 from PyTorch's
  // float64 after the first GroupNorm); sums of <= 64 values keep it at float32 rounding.
  const groupMean = (t5: string, groups: number): string => {
    let m = t5;
    for (const axis of [4, 3, 2]) m = g.node('ReduceMean', [m], { axes: [axis], keepdims: 1 }); // [N, C, 1, 1, 1]
    return g.node('ReduceMean', [g.node('Reshape', [m, g.int64s(g.fresh('group_shape'), [0, groups, -1])])], { axes: [2], keepdims: 1 }); // [N, G, 1]
  };
  const groupNorm = (x: string, prefix: string, channels: number, groups: number): string => {
    const shape = g.node('Shape', [x]);
    const grouped = g.node('Reshape', [x, g.int64s(g.fresh('group_shape'), [0, groups, -1])]);
    const centred = g.node('Sub', [grouped, groupMean(x, groups)]);
    const variance = groupMean(g.node('Reshape', [g.node('Mul', [centred, centred]), shape]), groups);
    const eps = g.floats(g.fresh('eps'), [], Float32Array.of(GROUP_NORM_EPS));
    const normed = g.node('Div', [centred, g.node('Sqrt', [g.node('Add', [variance, eps])])]);
    const back = g.node('Reshape', [normed, shape]);
    const gamma = g.floats(`${prefix}/gamma`, [channels, 1, 1, 1], param(`${prefix}/gamma`));
    const beta = g.floats(`${prefix}/beta`, [channels, 1, 1, 1], param(`${prefix}/beta`));
    return g.node('Add', [g.node('Mul', [back, gamma]), beta]);
  };
  const block = (x: string, b: { name: string; outChannels: number; groups: number }): string => {
    let y = x;
    for (const i of [0, 1]) y = g.node('Relu', [groupNorm(conv(y, `${b.name}/conv${i}`), `${b.name}/norm${i}`, b.outChannels, b.groups)]);
    return y;
  };

  const { encoder, decoder } = blockSpecs(o);
  const scales = g.floats('upsample_scales', [5], Float32Array.of(1, 1, 2, 2, 2));
  const skips: string[] = [];
  let y = ONNX_INPUT;
  encoder.forEach((b, i) => {
    if (i > 0) y = g.node('MaxPool', [y], { kernel_shape: [2, 2, 2], strides: [2, 2, 2] });
    y = block(y, b);
    skips.push(y);
  });
  for (const b of decoder) {
    const level = Number(b.name.slice(3));
    // Resize inputs: X, roi (omitted), scales.
    const up = g.node('Resize', [y, '', scales], { mode: 'linear', coordinate_transformation_mode: 'half_pixel' });
    y = block(g.node('Concat', [skips[level], up], { axis: 1 }), b);
  }
  conv(y, 'head', ONNX_OUTPUT);

  const dims = ['batch', o.inChannels, 'depth', 'height', 'width'] as const;
  return g.encode({
    name: 'lesionseg_unet3d',
    input: { name: ONNX_INPUT, dims },
    output: { name: ONNX_OUTPUT, dims: ['batch', 1, 'depth', 'height', 'width'] },
    opset: ONNX_OPSET,
    irVersion: ONNX_IR_VERSION,
    producer: { name: 'lesionseg', version: options.producerVersion },
    docString: options.docString,
    metadata: options.metadata,
  });
}
