/**
 * Direct access to tensors in tfjs's wasm backend memory, for kernels written in TypeScript
 * (memory-bound ones, where a plain loop over the heap beats a chain of tfjs ops).
 */
import type * as tf from '@tensorflow/tfjs-core';

export interface WasmBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  dataIdMap: { get(dataId: object): { memoryOffset: number } };
  wasm: { HEAPF32: Float32Array; HEAPU8: Uint8Array; asm?: { memory?: unknown } };
  disposeData(dataId: object): boolean;
  incRef(dataId: object): void;
}

/** Float index of a float32 tensor in `heap()`. */
export function floatOffset(backend: WasmBackend, t: tf.TensorInfo): number {
  return backend.dataIdMap.get(t.dataId).memoryOffset >> 2;
}

/**
 * The heap as floats. Take it *after* the last `makeOutput`: growing the memory replaces the
 * buffer, and the old view then has length 0.
 */
export function heapF32(backend: WasmBackend): Float32Array {
  return backend.wasm.HEAPF32;
}

/** Byte offset of a tensor in the heap (what the SIMD kernels take). */
export function byteOffset(backend: WasmBackend, t: tf.TensorInfo): number {
  return backend.dataIdMap.get(t.dataId).memoryOffset;
}

/** Runs `f` with `bytes` of scratch memory in the heap (a buffer the engine never sees). */
export function withScratch<T>(backend: WasmBackend, bytes: number, f: (ptr: number) => T): T {
  const scratch = backend.makeOutput([Math.ceil(bytes / 4) + 4], 'float32');
  try {
    return f(byteOffset(backend, scratch));
  } finally {
    backend.disposeData(scratch.dataId);
  }
}
