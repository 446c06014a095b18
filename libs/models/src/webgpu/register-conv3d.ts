/**
 * Our 3-D convolution kernels on tfjs's `webgpu` backend: `Conv3D`, `Conv3DBackpropInputV2`
 * and `Conv3DBackpropFilterV2` re-registered, so user code keeps calling `tf.conv3d` and
 * autodiff (Conv3D's gradient calls the two backprop kernels) runs ours.
 *
 * Covered: float32, stride 1, dilation 1, cubic 3x3x3 kernels with padding 1 on every side and
 * 1x1x1 kernels, output the size of the input - every convolution of the UNet. Anything else
 * goes to the stock tfjs-webgpu kernel. The stock kernels are naive (one thread per output; the
 * filter gradient one thread per weight over every voxel of the batch).
 */
import * as tf from '@tensorflow/tfjs-core';
import { KernelOverrides } from '../wasm/kernel-overrides.ts';
import { convGemmProgram } from './conv3d-gemm.ts';
import { filterGradChunk, filterGradPartialsProgram, sumPartialsProgram } from './conv3d-filter-grad.ts';
import { bytesOf, type WebgpuBackend } from './program.ts';

type KernelFunc = tf.KernelConfig['kernelFunc'];
type Info = tf.TensorInfo;
type ConvAttrs = { strides: number | number[]; pad: 'same' | 'valid'; dilations?: number | number[] };

/** How many kernel calls took each path (tests assert that ours ran). */
export const webgpuConvPathCounts = { forward: 0, inputGrad: 0, filterGrad: 0, stock: 0 };

function allOnes(v: number | number[] | undefined): boolean {
  return v === undefined || (typeof v === 'number' ? v === 1 : v.every((s) => s === 1));
}

/**
 * The kernel side (3 or 1) when a convolution of `inputShape` with `filterShape` is one we
 * cover, else undefined.
 */
function coveredKernelSide(inputShape: readonly number[], filterShape: readonly number[], attrs: ConvAttrs, dtypes: tf.DataType[]): 1 | 3 | undefined {
  if (!allOnes(attrs.strides) || !allOnes(attrs.dilations) || dtypes.some((d) => d !== 'float32')) return undefined;
  const [kd, kh, kw] = filterShape;
  if (kd !== kh || kd !== kw || (kd !== 1 && kd !== 3)) return undefined;
  if (inputShape.some((s) => s === 0)) return undefined;
  const info = tf.backend_util.computeConv3DInfo(inputShape as never, filterShape as never, 1, 1, attrs.pad);
  const p = info.padInfo;
  const half = (kd - 1) / 2;
  const samePads = [p.front, p.back, p.top, p.bottom, p.left, p.right].every((v) => v === half);
  const sameSize = info.outDepth === inputShape[1] && info.outHeight === inputShape[2] && info.outWidth === inputShape[3];
  return samePads && sameSize ? (kd as 1 | 3) : undefined;
}

/** A clear error instead of WebGPU's validation message when a tensor cannot be bound at all. */
function checkBindable(backend: WebgpuBackend, kernel: string, shapes: Record<string, readonly number[]>): void {
  const limit = backend.device.limits.maxStorageBufferBindingSize;
  for (const [name, shape] of Object.entries(shapes)) {
    if (bytesOf(shape) > limit) {
      throw new Error(
        `${kernel} on webgpu: ${name} [${shape.join(', ')}] is ${bytesOf(shape)} bytes, over this adapter's maxStorageBufferBindingSize (${limit}); use smaller batches`,
      );
    }
  }
}

const voxelsOf = (shape: readonly number[]) => shape[0] * shape[1] * shape[2] * shape[3];
const dhwOf = (shape: readonly number[]) => [shape[1], shape[2], shape[3]] as const;

const conv3d: KernelFunc = (args) => {
  const { inputs, backend, attrs } = args as unknown as { inputs: { x: Info; filter: Info }; backend: WebgpuBackend; attrs: ConvAttrs };
  const { x, filter } = inputs;
  const ks = coveredKernelSide(x.shape, filter.shape, attrs, [x.dtype, filter.dtype]);
  if (!ks) {
    webgpuConvPathCounts.stock++;
    return overrides.original('Conv3D')(args);
  }
  const outC = filter.shape[4];
  checkBindable(backend, 'Conv3D', { x: x.shape, output: [...x.shape.slice(0, 4), outC] });
  const voxels = voxelsOf(x.shape);
  webgpuConvPathCounts.forward++;
  const prog = convGemmProgram({ dhw: dhwOf(x.shape), inC: x.shape[4], outC, ks, voxels, transposed: false });
  return backend.runWebGPUProgram(prog, [x, filter], 'float32', [{ type: 'int32', data: [voxels] }]);
};

const conv3dBackpropInput: KernelFunc = (args) => {
  const { inputs, backend, attrs } = args as unknown as {
    inputs: { dy: Info; filter: Info };
    backend: WebgpuBackend;
    attrs: ConvAttrs & { inputShape: number[] };
  };
  const { dy, filter } = inputs;
  const ks = coveredKernelSide(attrs.inputShape, filter.shape, attrs, [dy.dtype, filter.dtype]);
  if (!ks) {
    webgpuConvPathCounts.stock++;
    return overrides.original('Conv3DBackpropInputV2')(args);
  }
  checkBindable(backend, 'Conv3DBackpropInputV2', { dy: dy.shape, dx: attrs.inputShape });
  const voxels = voxelsOf(dy.shape);
  webgpuConvPathCounts.inputGrad++;
  const prog = convGemmProgram({ dhw: dhwOf(dy.shape), inC: dy.shape[4], outC: attrs.inputShape[4], ks, voxels, transposed: true });
  return backend.runWebGPUProgram(prog, [dy, filter], 'float32', [{ type: 'int32', data: [voxels] }]);
};

const conv3dBackpropFilter: KernelFunc = (args) => {
  const { inputs, backend, attrs } = args as unknown as { inputs: { x: Info; dy: Info }; backend: WebgpuBackend; attrs: ConvAttrs & { filterShape: number[] } };
  const { x, dy } = inputs;
  const ks = coveredKernelSide(x.shape, attrs.filterShape, attrs, [x.dtype, dy.dtype]);
  if (!ks) {
    webgpuConvPathCounts.stock++;
    return overrides.original('Conv3DBackpropFilterV2')(args);
  }
  checkBindable(backend, 'Conv3DBackpropFilterV2', { x: x.shape, dy: dy.shape });
  const voxels = voxelsOf(x.shape);
  const filterSize = attrs.filterShape.reduce((a, b) => a * b, 1);
  const chunk = filterGradChunk(voxels, filterSize, backend.device.limits.maxStorageBufferBindingSize);
  const partialsProg = filterGradPartialsProgram({ dhw: dhwOf(x.shape), inC: x.shape[4], outC: attrs.filterShape[4], ks, voxels, chunk });
  const uniforms = [{ type: 'int32' as const, data: [voxels] }];
  const partials = backend.runWebGPUProgram(partialsProg, [x, dy], 'float32', uniforms);
  webgpuConvPathCounts.filterGrad++;
  const out = backend.runWebGPUProgram(sumPartialsProgram(partials.shape[0], [...attrs.filterShape]), [partials], 'float32', [
    { type: 'int32', data: [filterSize] },
  ]);
  backend.disposeData(partials.dataId);
  return out;
};

const overrides = new KernelOverrides('webgpu', [
  ['Conv3D', conv3d],
  ['Conv3DBackpropInputV2', conv3dBackpropInput],
  ['Conv3DBackpropFilterV2', conv3dBackpropFilter],
]);

export function registerWebgpuConv3d(): void {
  overrides.register();
}

export function unregisterWebgpuConv3d(): void {
  overrides.unregister();
}
