/**
 * How big one pass may be on the active backend. CPU backends share the wasm heap's budget and
 * have no per-tensor limit; a WebGPU device cannot bind a buffer larger than its
 * `maxStorageBufferBindingSize` (128 MiB on lavapipe, more on GPUs) and has its own memory, so
 * its loader registers its limits here. Looked up by the active tfjs backend, so switching
 * back to cpu/wasm in the same process gives the CPU limits again.
 */
import * as tf from '@tensorflow/tfjs-core';

export interface DeviceLimits {
  /** The largest tensor (bytes) a kernel may read or write in one binding. */
  maxTensorBytes: number;
  /** Bytes one forward (+ backward) pass may use. */
  memoryBudget: number;
  /** Default windows per sliding-window pass. */
  windowBatch: number;
}

/** The wasm heap is capped at 4 GiB and tfjs-backend-wasm fails well before (see train/memory-budget.ts). */
export const CPU_DEVICE_LIMITS: DeviceLimits = { maxTensorBytes: Number.POSITIVE_INFINITY, memoryBudget: 1.5 * 2 ** 30, windowBatch: 8 };

const byBackend = new Map<string, DeviceLimits>();

export function setDeviceLimits(tfBackend: string, limits: DeviceLimits): void {
  byBackend.set(tfBackend, limits);
}

/** The limits of the active tfjs backend (CPU limits when none was registered for it). */
export function deviceLimits(): DeviceLimits {
  let name: string | null = null;
  try {
    name = tf.getBackend();
  } catch {
    name = null;
  }
  return (name && byBackend.get(name)) || CPU_DEVICE_LIMITS;
}
