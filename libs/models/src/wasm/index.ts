/**
 * The fast CPU path on tfjs's wasm backend: call `registerFastWasmKernels()` once after
 * `selectBackend` picked 'wasm' (it is harmless on other backends: only wasm kernels change).
 */
import { registerFastWasmConv3d, unregisterFastWasmConv3d } from './register-fast-conv3d.ts';
import { registerFastWasmCopies, unregisterFastWasmCopies } from './register-fast-copies.ts';

export function registerFastWasmKernels(): void {
  registerFastWasmCopies();
  registerFastWasmConv3d();
}

export function unregisterFastWasmKernels(): void {
  unregisterFastWasmConv3d();
  unregisterFastWasmCopies();
}

export { registerFastWasmConv3d, unregisterFastWasmConv3d, fastWasmConv3dRegistered } from './register-fast-conv3d.ts';
export { registerFastWasmCopies, unregisterFastWasmCopies } from './register-fast-copies.ts';
