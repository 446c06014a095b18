/**
 * Our WGSL kernels for tfjs's `webgpu` backend. This module is imported only after
 * '@tensorflow/tfjs-backend-webgpu' (an optional dependency) has loaded, by the webgpu backend
 * loader; nothing else in the library imports it, so the wasm/cpu paths never pull in WebGPU.
 */
export function registerWebgpuKernels(): void {
  // The kernels land here (issue 11); until then the stock tfjs-webgpu kernels run.
}
