/**
 * Test helper for the `webgpu` backend (Dawn's `webgpu` package + tfjs-backend-webgpu, both
 * optional dependencies). It starts the backend with the production loader
 * (src/backend/webgpu-loader.ts), accepting a software adapter: CI runs these tests on Mesa's
 * lavapipe. `webgpuAdapter()` says whether an adapter is present; tests use it with
 * `describe.skipIf` and print why they skip, loudly (`skipLoudly`).
 */
import * as tf from '@tensorflow/tfjs-core';
import { webgpuAvailability, type WebgpuAvailability } from '../src/backend/webgpu-loader.ts';

let probe: Promise<WebgpuAvailability> | undefined;

/** Whether webgpu can run here; the adapter, or the reason when not. Probed once per process. */
export function webgpuAdapter(): Promise<WebgpuAvailability> {
  probe ??= webgpuAvailability();
  return probe;
}

/** Prints one unmissable line when a webgpu test file is skipped (CI logs must show it). */
export function skipLoudly(what: string, p: WebgpuAvailability): void {
  if (!p.ok) console.warn(`\n!!! SKIPPED ${what}: no WebGPU adapter (${p.reason}). Install a Vulkan driver (tools/gpu/install-lavapipe.sh) to run it.\n`);
}

export async function useWebgpu(): Promise<void> {
  const p = await webgpuAdapter();
  if (!p.ok) throw new Error(`webgpu unavailable: ${p.reason}`);
  if (tf.getBackend() !== 'webgpu') {
    const ok = await tf.setBackend('webgpu');
    if (!ok) throw new Error('webgpu backend failed to initialise');
  }
  await tf.ready();
}
