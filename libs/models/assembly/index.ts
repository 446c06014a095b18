/**
 * WebAssembly SIMD kernels that run inside tfjs's wasm backend memory (imported as env.memory).
 * They allocate nothing and keep no globals or data segments: every buffer is a tensor that tfjs
 * allocated, passed as a byte offset. Built to ../src/wasm/simd-kernels.wasm, which is committed;
 * a test rebuilds it from these sources and compares the bytes.
 */
export { conv3dForward, conv1x1To1 } from './conv3d-forward';
export { conv3dFilterGrad } from './conv3d-filter-grad';
export { groupNormForward, groupNormBackward } from './group-norm';
export { maxPool2, maxPool2Grad, upsampleAxis, upsampleAxisAdjoint, concatLast2, splitLast2 } from './resample';
export { conv3dWinograd, conv3dWinogradFilterGrad, winogradScratchBytes } from './conv3d-winograd';
export { conv3dWinogradF4, winogradF4ScratchBytes } from './conv3d-winograd-f4';
