/**
 * Test helper for the `webgpu` backend (Dawn's `webgpu` package + tfjs-backend-webgpu, both
 * optional dependencies). `webgpuAdapter()` says whether a Vulkan adapter is present (CI has
 * Mesa's lavapipe); tests use it with `describe.skipIf` and print why they skip, loudly.
 */
import * as tf from '@tensorflow/tfjs-core';

let probe: Promise<{ ok: true } | { ok: false; reason: string }> | undefined;

async function probeWebgpu(): Promise<{ ok: true } | { ok: false; reason: string }> {
  try {
    const specifier = 'webgpu';
    const dawn = (await import(specifier)) as {
      create(flags: string[]): { requestAdapter(): Promise<unknown> };
      globals: object;
    };
    Object.assign(globalThis, dawn.globals);
    const gpu = dawn.create([]);
    const adapter = await gpu.requestAdapter();
    if (!adapter) return { ok: false, reason: 'Dawn found no WebGPU adapter (no Vulkan driver?)' };
    Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
    await import('@tensorflow/tfjs-backend-webgpu');
    return { ok: true };
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message.split('\n')[0] : String(error) };
  }
}

/** Whether webgpu can run here; the reason when not. Probed once per process. */
export function webgpuAdapter(): Promise<{ ok: true } | { ok: false; reason: string }> {
  probe ??= probeWebgpu();
  return probe;
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
