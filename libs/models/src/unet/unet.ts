/**
 * The paper's 3D UNet, built from tfjs-core ops and tf.variable (no tfjs-layers):
 *   B(n) = 2 x {Conv3D 3x3x3 'same' (n filters) -> GroupNorm -> ReLU}
 *   B(16) maxpool -> B(32) maxpool -> B(64) -> up x2, concat skip -> B(32) -> up x2, concat skip -> B(16) -> Conv 1x1x1
 * Tensors are channels-last `[batch, z, y, x, channel]`; channel 0 is the baseline, 1 the follow-up.
 * The decoder concatenates `[skip, upsampled]` along channels (the PyTorch reference does the same).
 */
import * as tf from '@tensorflow/tfjs-core';
import '../register-gradients.ts';
import { biasGroupNormRelu } from '../ops/group-norm.ts';
import { upsampleTrilinear2x } from '../ops/upsample-trilinear.ts';
import { withInferenceKernels } from '../wasm/register-fast-conv3d.ts';
import { checkPatchShape, resolveUNetOptions, type ResolvedUNetOptions, type UNetOptions } from './options.ts';
import { blockSpecs, initialValues, paramSpecs, type BlockSpec, type ParamSpec } from './params.ts';

let instanceCounter = 0;

export interface UNet {
  readonly options: ResolvedUNetOptions;
  /** Parameters in a fixed order (the order of `paramSpecs`), keyed by their logical name. */
  readonly params: ReadonlyMap<string, tf.Variable>;
  /**
   * `[N, z, y, x, inChannels]` -> logits `[N, z, y, x, 1]`. The network has no dropout or batch
   * statistics; `training = false` lets the wasm backend take its inference-only kernels.
   */
  forward(x: tf.Tensor5D, training?: boolean): tf.Tensor5D;
  /** Copies of the current weights on the host. */
  getWeights(): Promise<Map<string, Float32Array>>;
  /** Overwrite weights (every name must exist and sizes must match). */
  setWeights(values: ReadonlyMap<string, Float32Array | tf.Tensor>): void;
  /** Number of scalar parameters. */
  parameterCount(): number;
  dispose(): void;
}

/** Adds a per-channel bias on a 2-D view (rank-5 broadcasts are slow on wasm). */
function addBias(y: tf.Tensor, bias: tf.Tensor): tf.Tensor {
  const c = y.shape[y.shape.length - 1];
  return tf.reshape(tf.add(tf.reshape(y, [-1, c]), bias), y.shape);
}

class UNet3D implements UNet {
  readonly options: ResolvedUNetOptions;
  readonly params: Map<string, tf.Variable>;
  private readonly specs: ParamSpec[];
  private readonly encoder: BlockSpec[];
  private readonly decoder: BlockSpec[];

  constructor(options: ResolvedUNetOptions, values: ReadonlyMap<string, Float32Array>) {
    this.options = options;
    this.specs = paramSpecs(options);
    ({ encoder: this.encoder, decoder: this.decoder } = blockSpecs(options));
    // tf.variable names are global to the engine: prefix them so that a model and its EMA copy coexist.
    const prefix = `unet${instanceCounter++}`;
    this.params = new Map(
      this.specs.map((s) => {
        const v = values.get(s.name);
        if (!v) throw new Error(`UNet: no initial value for parameter "${s.name}"`);
        // tidy disposes the temporary tensor; the variable survives it.
        return [s.name, tf.tidy(() => tf.variable(tf.tensor(v, s.shape), true, `${prefix}/${s.name}`))];
      }),
    );
  }

  private p(name: string): tf.Variable {
    const v = this.params.get(name);
    if (!v) throw new Error(`UNet: unknown parameter "${name}"`);
    return v;
  }

  private conv(x: tf.Tensor5D, name: string): tf.Tensor5D {
    const pad = this.p(`${name}/kernel`).shape[0] === 1 ? 'valid' : 'same';
    return addBias(tf.conv3d(x, this.p(`${name}/kernel`) as tf.Tensor5D, 1, pad), this.p(`${name}/bias`)) as tf.Tensor5D;
  }

  private block(x: tf.Tensor5D, b: BlockSpec): tf.Tensor5D {
    let y = x;
    for (const i of [0, 1]) {
      // One tidy per layer: without it a forward pass keeps every intermediate of the whole
      // network alive until the end (GiBs for 32 patches of 32^3, beyond the wasm heap). Under
      // autodiff the tensors the backward pass needs are kept by the tape regardless.
      const input = y;
      y = tf.tidy(() => {
        const name = `${b.name}/conv${i}`;
        const c = tf.conv3d(input, this.p(`${name}/kernel`) as tf.Tensor5D, 1, 'same');
        const [bias, gamma, beta] = [`${name}/bias`, `${b.name}/norm${i}/gamma`, `${b.name}/norm${i}/beta`].map((p) => this.p(p) as tf.Tensor1D);
        return biasGroupNormRelu(c, bias, gamma, beta, b.groups) as tf.Tensor5D;
      });
    }
    return y;
  }

  forward(x: tf.Tensor5D, training = false): tf.Tensor5D {
    if (x.rank !== 5 || x.shape[4] !== this.options.inChannels) {
      throw new Error(`UNet.forward expects [batch, z, y, x, ${this.options.inChannels}], got [${x.shape.join(', ')}]`);
    }
    checkPatchShape(x.shape.slice(1, 4), this.options.widths);
    // Inference may take kernels with fewer multiplications and slightly larger rounding (wasm).
    return training ? this.layers(x) : withInferenceKernels(() => this.layers(x));
  }

  private layers(x: tf.Tensor5D): tf.Tensor5D {
    return tf.tidy(() => {
      const skips: tf.Tensor5D[] = [];
      let y = x;
      this.encoder.forEach((b, i) => {
        if (i > 0) y = tf.maxPool3d(y, 2, 2, 'valid');
        y = this.block(y, b);
        skips.push(y);
      });
      for (const b of this.decoder) {
        const level = Number(b.name.slice(3));
        y = tf.concat([skips[level], upsampleTrilinear2x(y)], 4);
        y = this.block(y, b);
      }
      return this.conv(y, 'head');
    });
  }

  async getWeights(): Promise<Map<string, Float32Array>> {
    const out = new Map<string, Float32Array>();
    // A copy: the cpu backend's data() is the tensor's own storage.
    for (const [name, v] of this.params) out.set(name, ((await v.data()) as Float32Array).slice());
    return out;
  }

  setWeights(values: ReadonlyMap<string, Float32Array | tf.Tensor>): void {
    for (const s of this.specs) {
      const value = values.get(s.name);
      if (value === undefined) throw new Error(`UNet.setWeights: missing parameter "${s.name}"`);
      const size = s.shape.reduce((a, b) => a * b, 1);
      const got = value instanceof tf.Tensor ? value.size : value.length;
      if (got !== size) throw new Error(`UNet.setWeights: parameter "${s.name}" has ${got} values, expected ${size} (shape ${s.shape.join('x')})`);
    }
    tf.tidy(() => {
      for (const s of this.specs) {
        const value = values.get(s.name) as Float32Array | tf.Tensor;
        this.p(s.name).assign(value instanceof tf.Tensor ? tf.reshape(value, s.shape) : tf.tensor(value, s.shape));
      }
    });
  }

  parameterCount(): number {
    let n = 0;
    for (const v of this.params.values()) n += v.size;
    return n;
  }

  dispose(): void {
    for (const v of this.params.values()) v.dispose();
  }
}

/** Build a UNet with freshly initialised weights (seeded), or with `weights` when given. */
export function createUNet(options: UNetOptions = {}, weights?: ReadonlyMap<string, Float32Array>): UNet {
  const o = resolveUNetOptions(options);
  return new UNet3D(o, weights ?? initialValues(o));
}

/** A new UNet with the same options and an exact copy of `model`'s current weights. */
export function cloneUNet(model: UNet): UNet {
  const copy = createUNet(model.options);
  copy.setWeights(model.params);
  return copy;
}
