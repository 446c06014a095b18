/**
 * The fast CPU path on tfjs's wasm backend: call `registerFastWasmKernels()` once after
 * `selectBackend` picked 'wasm' (it is harmless on other backends: only wasm kernels change).
 */
import { registerFastWasmConv3d, unregisterFastWasmConv3d } from './register-fast-conv3d.ts';
import { registerFastWasmCopies, unregisterFastWasmCopies } from './register-fast-copies.ts';
import { registerFastWasmMaxPool, unregisterFastWasmMaxPool } from './register-max-pool.ts';
import { registerGroupNormKernels, unregisterGroupNormKernels } from './group-norm-kernel.ts';
import { registerUpsampleKernels, unregisterUpsampleKernels } from './upsample-kernel.ts';

export function registerFastWasmKernels(): void {
  registerFastWasmCopies();
  registerFastWasmConv3d();
  registerFastWasmMaxPool();
  registerGroupNormKernels();
  registerUpsampleKernels();
}

export function unregisterFastWasmKernels(): void {
  unregisterUpsampleKernels();
  unregisterGroupNormKernels();
  unregisterFastWasmMaxPool();
  unregisterFastWasmConv3d();
  unregisterFastWasmCopies();
}

export {
  registerFastWasmConv3d,
  unregisterFastWasmConv3d,
  fastWasmConv3dRegistered,
  conv3dPathCounts,
  useWinogradConv,
  withInferenceKernels,
} from './register-fast-conv3d.ts';
export { useSimdKernels } from './simd-kernels.ts';
export { registerFastWasmCopies, unregisterFastWasmCopies } from './register-fast-copies.ts';
