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

export const DEFAULT_MEMORY_BUDGET = 1.5 * 2 ** 30;

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
