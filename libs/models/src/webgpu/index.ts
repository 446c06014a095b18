/**
 * Our WGSL kernels for tfjs's `webgpu` backend. This module is imported only after
 * '@tensorflow/tfjs-backend-webgpu' (an optional dependency) has loaded, through register-kernels.ts
 * (called by the webgpu backend loader); nothing else in the library imports it, so the wasm/cpu paths never pull in WebGPU.
 * Registration replaces kernels for backend 'webgpu' only; the originals stay as fallbacks.
 */
import { registerWebgpuConv3d, unregisterWebgpuConv3d } from './register-conv3d.ts';
import { registerWebgpuGroupNorm, unregisterWebgpuGroupNorm } from './group-norm.ts';
import { registerWebgpuUpsample, unregisterWebgpuUpsample } from './upsample.ts';

/** Register our kernels for 'webgpu' (idempotent). Call before or after the backend starts. */
export function registerWebgpuKernels(): void {
  registerWebgpuConv3d();
  registerWebgpuGroupNorm();
  registerWebgpuUpsample();
}

/** Put tfjs-webgpu's own kernels back (tests and benchmarks compare both). */
export function unregisterWebgpuKernels(): void {
  unregisterWebgpuUpsample();
  unregisterWebgpuGroupNorm();
  unregisterWebgpuConv3d();
}

export { webgpuConvPathCounts } from './register-conv3d.ts';
export { webgpuGroupNormCounts } from './group-norm.ts';
export { webgpuUpsampleCounts } from './upsample.ts';
