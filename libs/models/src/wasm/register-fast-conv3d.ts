/**
 * Faster, correct 3-D convolution kernels for tfjs's wasm backend.
 *
 * tfjs-backend-wasm 4.22's own Conv3D kernels are naive loops (0.3-0.4 GFLOP/s), and its
 * `Conv3DBackpropInputV2` returns wrong input gradients (NaN/Inf and large errors), so the stock
 * wasm backend cannot train this UNet. We re-register `Conv3D`, `Conv3DBackpropInputV2` and
 * `Conv3DBackpropFilterV2` for 'wasm' with implementations built on the backend's XNNPACK
 * Conv2D and 2-D matMul (see conv3d-via-2d.ts). User code keeps calling `tf.conv3d`, and
 * autodiff (Conv3D's registered gradient calls the two backprop kernels) keeps working.
 * Strides or dilations other than 1 go to the original forward/filter kernels; the original
 * input-gradient kernel is never used.
 */
import * as tf from '@tensorflow/tfjs-core';
import { KernelOverrides } from './kernel-overrides.ts';
import { conv3dStride1, conv3dStride1BackpropFilter, conv3dStride1BackpropInput, padsFromInfo } from './conv3d-via-2d.ts';

type KernelFunc = tf.KernelConfig['kernelFunc'];
type Info = tf.TensorInfo;
interface Backend {
  incRef(dataId: object): void;
}


function isStride1(strides: number | number[], dilations: number | number[] | undefined): boolean {
  const s = typeof strides === 'number' ? [strides] : strides;
  const d = dilations === undefined ? [1] : typeof dilations === 'number' ? [dilations] : dilations;
  return s.every((v) => v === 1) && d.every((v) => v === 1);
}

/**
 * Run tfjs ops inside a kernel: wrap the input TensorInfos as tensors (holding a reference),
 * compute, and hand the result's buffer to the engine as the kernel's output.
 */
function runOps(backend: Backend, inputs: Info[], compute: (...t: tf.Tensor[]) => tf.Tensor): Info {
  const engine = tf.engine();
  const result = tf.tidy(() => {
    const wrapped = inputs.map((info) => {
      const t = engine.makeTensorFromTensorInfo(info);
      backend.incRef(info.dataId); // the wrapper owns one reference; tidy's dispose returns it
      return t;
    });
    return compute(...wrapped);
  });
  backend.incRef(result.dataId); // the kernel output keeps the buffer alive after `result` is disposed
  const out = { dataId: result.dataId, shape: result.shape, dtype: result.dtype };
  result.dispose();
  return out;
}

const conv3d: KernelFunc = (args) => {
  const { inputs, backend, attrs } = args as unknown as { inputs: { x: Info; filter: Info }; backend: Backend; attrs: { strides: number[]; pad: 'same' | 'valid'; dilations?: number[] } };
  if (!isStride1(attrs.strides, attrs.dilations)) return overrides.original('Conv3D')(args);
  const info = tf.backend_util.computeConv3DInfo(inputs.x.shape as never, inputs.filter.shape as never, 1, 1, attrs.pad);
  return runOps(backend, [inputs.x, inputs.filter], (x, f) => conv3dStride1(x as tf.Tensor5D, f as tf.Tensor5D, padsFromInfo(info)));
};

const conv3dBackpropInput: KernelFunc = (args) => {
  const { inputs, backend, attrs } = args as unknown as { inputs: { dy: Info; filter: Info }; backend: Backend; attrs: { strides: number[]; pad: 'same' | 'valid'; inputShape: number[] } };
  if (!isStride1(attrs.strides, 1)) {
    throw new Error('Conv3DBackpropInputV2 on wasm: only stride 1 is supported (the stock wasm kernel gives wrong gradients); use the cpu backend');
  }
  const info = tf.backend_util.computeConv3DInfo(attrs.inputShape as never, inputs.filter.shape as never, 1, 1, attrs.pad);
  return runOps(backend, [inputs.dy, inputs.filter], (dy, f) => conv3dStride1BackpropInput(dy as tf.Tensor5D, f as tf.Tensor5D, padsFromInfo(info)));
};

const conv3dBackpropFilter: KernelFunc = (args) => {
  const { inputs, backend, attrs } = args as unknown as { inputs: { x: Info; dy: Info }; backend: Backend; attrs: { strides: number[]; pad: 'same' | 'valid'; filterShape: number[] } };
  if (!isStride1(attrs.strides, 1)) return overrides.original('Conv3DBackpropFilterV2')(args);
  const info = tf.backend_util.computeConv3DInfo(inputs.x.shape as never, attrs.filterShape as never, 1, 1, attrs.pad);
  return runOps(backend, [inputs.x, inputs.dy], (x, dy) => conv3dStride1BackpropFilter(x as tf.Tensor5D, dy as tf.Tensor5D, attrs.filterShape, padsFromInfo(info)));
};

const overrides = new KernelOverrides('wasm', [
  ['Conv3D', conv3d],
  ['Conv3DBackpropInputV2', conv3dBackpropInput],
  ['Conv3DBackpropFilterV2', conv3dBackpropFilter],
]);

/** Replace the wasm backend's Conv3D kernels (idempotent). Other backends are untouched. */
export function registerFastWasmConv3d(): void {
  overrides.register();
}

/** Put the stock kernels back (tests and benchmarks compare both). */
export function unregisterFastWasmConv3d(): void {
  overrides.unregister();
}

export function fastWasmConv3dRegistered(): boolean {
  return overrides.registered;
}

