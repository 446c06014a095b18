/**
 * The small part of tfjs-backend-webgpu's program interface our kernels use, typed here so that
 * this module needs no WebGPU type declarations and no runtime import of the backend: a kernel
 * receives the backend as `args.backend` and hands it a program object with WGSL source.
 *
 * How tfjs runs a program (webgpu_program.ts in tfjs-backend-webgpu): it prepends a uniform
 * struct (`uniforms.<name>Shape`, ..., `uniforms.outShape`, then our `uniforms` fields), binds the
 * output as `result: array<f32>` and each input by its `variableNames` entry as `array<f32>`,
 * and calls our `fn main()` from its `_start` with the private globals `localIndex`,
 * `workgroupId` and `numWorkgroups` set. Pipelines are cached by `shaderKey` (plus input ranks
 * and dtypes): every constant baked into the source must be in the key.
 */
import type * as tf from '@tensorflow/tfjs-core';

export interface GpuProgram {
  outputShape: number[];
  shaderKey: string;
  dispatchLayout: { x: number[]; y?: number[]; z?: number[] };
  dispatch: [number, number, number];
  variableNames: string[];
  /** Per input, how many floats one array element holds (1 or 4); default 1. */
  variableComponents?: number[];
  uniforms?: string;
  workgroupSize: [number, number, number];
  getUserCode(): string;
}

export type Uniform = { type: 'int32' | 'float32' | 'uint32'; data: number[] };

export interface WebgpuBackend {
  runWebGPUProgram(program: GpuProgram, inputs: tf.TensorInfo[], dtype: tf.DataType, uniforms?: Uniform[], output?: tf.TensorInfo): tf.TensorInfo;
  disposeData(dataId: tf.DataId, force?: boolean): boolean;
  device: { limits: { maxStorageBufferBindingSize: number; maxComputeWorkgroupsPerDimension: number } };
}

/**
 * A program over `groups` workgroups (in any order), laid out on a 2-D grid so that no dimension
 * exceeds the WebGPU limit of 65535; `yGroups` goes to the y dimension. WGSL reads the flat
 * group index with `flatGroup()` (see GROUP_INDEX_WGSL).
 */
export function program(spec: {
  key: string;
  outputShape: number[];
  inputs: string[];
  inputComponents?: number[];
  threads: number;
  groups: number;
  yGroups?: number;
  uniforms?: string;
  code: string;
}): GpuProgram {
  const gx = Math.min(spec.groups, 32768);
  const gz = Math.ceil(spec.groups / gx);
  return {
    outputShape: spec.outputShape,
    shaderKey: spec.key,
    // A non-flat layout makes tfjs call `main()` without an index argument; its getOutputCoords
    // helper (unused here) is only generated when the layout's rank equals the output's.
    dispatchLayout: { x: [0], y: [1], z: [2] },
    dispatch: [gx, spec.yGroups ?? 1, gz],
    variableNames: spec.inputs,
    variableComponents: spec.inputComponents,
    uniforms: spec.uniforms,
    workgroupSize: [spec.threads, 1, 1],
    getUserCode: () => `${GROUP_INDEX_WGSL}\n${spec.code}`,
  };
}

/** The flat index of this workgroup over the x and z dimensions of the grid. */
export const GROUP_INDEX_WGSL = `
fn flatGroup() -> i32 {
  return i32(workgroupId.x + workgroupId.z * numWorkgroups.x);
}`;

/** Bytes a float32 tensor of `shape` occupies. */
export function bytesOf(shape: readonly number[]): number {
  return 4 * shape.reduce((a, b) => a * b, 1);
}

/**
 * One thread per item `i` (64 per workgroup); `body` sees `i` and the constants (all in the
 * pipeline key). Items default to one per output value; a body that writes several values per
 * item passes `items`. `prelude` holds WGSL functions the body calls.
 */
export function perItem(
  key: string,
  outputShape: number[],
  inputs: string[],
  consts: Record<string, number>,
  body: string,
  opts: { items?: number; prelude?: string } = {},
) {
  const count = opts.items ?? outputShape.reduce((a, b) => a * b, 1);
  const decl = Object.entries(consts)
    .map(([k, v]) => `const ${k} = ${Number.isInteger(v) ? v : v.toExponential()};`)
    .join('\n');
  const constKey = Object.values(consts).join('_');
  const code = `${decl}
${opts.prelude ?? ''}
fn main() {
  let i = flatGroup() * 64 + i32(localIndex);
  if (i < uniforms.size) {
${body}
  }
}`;
  return {
    prog: program({ key: `${key}_${constKey}`, outputShape, inputs, threads: 64, groups: Math.ceil(count / 64), uniforms: 'size : i32,', code }),
    size: count,
  };
}

/** Run a `perItem` program (its `uniforms.size` is the item count). */
export function runPerItem(backend: WebgpuBackend, p: ReturnType<typeof perItem>, inputs: tf.TensorInfo[]): tf.TensorInfo {
  return backend.runWebGPUProgram(p.prog, inputs, 'float32', [{ type: 'int32', data: [p.size] }]);
}
