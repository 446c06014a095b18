/**
 * The one entry point that puts our kernels on a tfjs backend: the import of the library (for
 * 'wasm', so a path that lands there by any route is fast), the webgpu loader (once its backend
 * is registered) and the predictor (after it selected a backend) all call this. Idempotent;
 * other backends (cpu, tensorflow) keep their stock kernels. The WebGPU kernels are imported
 * only here and only for 'webgpu', so the wasm/cpu paths never load WebGPU code.
 */
import { registerFastWasmKernels } from './wasm/index.ts';

export async function registerKernelsFor(backend: string): Promise<void> {
  if (backend === 'wasm') registerFastWasmKernels();
  else if (backend === 'webgpu') (await import('./webgpu/index.ts')).registerWebgpuKernels();
}
