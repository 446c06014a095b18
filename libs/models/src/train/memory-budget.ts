/**
 * How many patches one forward (or forward + backward) pass may take. The wasm heap is capped
 * at 4 GiB and tfjs-backend-wasm 4.22 fails with "memory access out of bounds" well before
 * that (seen scoring 32 patches of 32^3 with the paper network, ~2.2 GiB), which also leaves
 * the backend unusable. Chunking does not change any result (per-patch losses are independent
 * and micro-batch gradients are summed), so passes are capped to fit a budget.
 *
 * Measured on wasm with the paper network at 32^3: ~71 MB per patch for inference and
 * ~0.55 GiB per patch for training, i.e. about 140 and 1150 bytes per voxel per first-level
 * channel; the estimates below round those up.
 */
import type { ResolvedUNetOptions } from '../unet/options.ts';
import { CPU_DEVICE_LIMITS, deviceLimits } from '../backend/device-limits.ts';

export const DEFAULT_MEMORY_BUDGET = CPU_DEVICE_LIMITS.memoryBudget;

export function inferenceBytesPerPatch(o: ResolvedUNetOptions, shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1) * Math.max(o.widths[0], o.inChannels) * 160;
}

export function trainingBytesPerPatch(o: ResolvedUNetOptions, shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1) * Math.max(o.widths[0], o.inChannels) * 1300;
}

/** `requested` capped so that `perPatch * n` stays within `budget` (at least 1). */
export function capPatchesPerPass(requested: number, perPatch: number, budget = DEFAULT_MEMORY_BUDGET): number {
  return Math.max(1, Math.min(requested, Math.floor(budget / perPatch)));
}

/**
 * The largest single tensor one patch makes in a forward or backward pass: at each level the
 * decoder's concatenation [skip, upsampled] (widths[l] + widths[l+1] channels) at that level's
 * resolution, or the input. A WebGPU kernel cannot bind more than maxStorageBufferBindingSize.
 */
export function largestTensorBytesPerPatch(o: ResolvedUNetOptions, shape: readonly number[]): number {
  const voxels = shape.reduce((a, b) => a * b, 1);
  let channels = o.inChannels;
  o.widths.forEach((w, l) => {
    channels = Math.max(channels, (w + (o.widths[l + 1] ?? 0)) / 8 ** l);
  });
  return voxels * channels * 4;
}

/**
 * Patches per pass on the active backend: `requested`, capped to the device's memory budget
 * (or `budget`) and so that no tensor exceeds the device's largest binding. Passes are split,
 * never refused: results do not depend on the split.
 */
export function patchesPerPass(requested: number, o: ResolvedUNetOptions, shape: readonly number[], kind: 'train' | 'infer', budget?: number): number {
  const limits = deviceLimits();
  const perPatch = kind === 'train' ? trainingBytesPerPatch(o, shape) : inferenceBytesPerPatch(o, shape);
  const byBudget = capPatchesPerPass(requested, perPatch, budget ?? limits.memoryBudget);
  return capPatchesPerPass(byBudget, largestTensorBytesPerPatch(o, shape), limits.maxTensorBytes);
}
