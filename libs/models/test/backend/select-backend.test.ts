import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { BackendError, parseBackendRequest, selectBackend, type BackendLoader, type BackendName } from '../../src/backend/select-backend.ts';

/** Loaders that record the order they were tried in; `fail` lists those that throw. */
function fakeLoaders(fail: BackendName[], tried: BackendName[]): BackendLoader[] {
  const names: BackendName[] = ['tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm', 'cpu'];
  return names.map((name) => ({
    name,
    load: async () => {
      tried.push(name);
      if (fail.includes(name)) throw new Error(`${name} missing\nlong native stack`);
      await import('@tensorflow/tfjs-backend-cpu');
      await tf.setBackend('cpu');
    },
  }));
}

describe('selectBackend with fake loaders', () => {
  it('auto takes the first loader that works, in the documented order, and says why the others were skipped', async () => {
    const tried: BackendName[] = [];
    const lines: string[] = [];
    const s = await selectBackend('auto', { loaders: fakeLoaders(['tensorflow-gpu', 'webgpu', 'tensorflow'], tried), log: (l) => lines.push(l) });
    expect(s.name).toBe('wasm');
    expect(tried).toEqual(['tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm']);
    expect(s.skipped).toEqual([
      { name: 'tensorflow-gpu', reason: 'tensorflow-gpu missing' },
      { name: 'webgpu', reason: 'webgpu missing' },
      { name: 'tensorflow', reason: 'tensorflow missing' },
    ]);
    expect(lines[0]).toMatch(/^backend: wasm \(auto/);
    expect(lines.slice(1)).toEqual([
      '  skipped tensorflow-gpu: tensorflow-gpu missing',
      '  skipped webgpu: webgpu missing',
      '  skipped tensorflow: tensorflow missing',
    ]);
  });

  it('auto tries webgpu after tensorflow-gpu and before the CPU backends, telling it that auto is asking', async () => {
    const contexts: { name: BackendName; auto: boolean | undefined }[] = [];
    const loaders = fakeLoaders(['tensorflow-gpu'], []).map((l) => ({
      ...l,
      load: async (c?: { auto: boolean }) => (contexts.push({ name: l.name, auto: c?.auto }), l.load()),
    }));
    const s = await selectBackend('auto', { loaders, log: () => {} });
    expect(s.name).toBe('webgpu');
    expect(contexts).toEqual([
      { name: 'tensorflow-gpu', auto: true },
      { name: 'webgpu', auto: true },
    ]);
    contexts.length = 0;
    await selectBackend('webgpu', { loaders, log: () => {} });
    expect(contexts).toEqual([{ name: 'webgpu', auto: false }]);
  });

  it('auto uses the GPU when it loads and tries nothing else', async () => {
    const tried: BackendName[] = [];
    const s = await selectBackend('auto', { loaders: fakeLoaders([], tried), log: () => {} });
    expect(s.name).toBe('tensorflow-gpu');
    expect(tried).toEqual(['tensorflow-gpu']);
  });

  it('auto falls back to pure JS when everything else fails', async () => {
    const tried: BackendName[] = [];
    const s = await selectBackend('auto', { loaders: fakeLoaders(['tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm'], tried), log: () => {} });
    expect(s.name).toBe('cpu');
    expect(s.skipped.map((x) => x.name)).toEqual(['tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm']);
  });

  it('auto with nothing loadable is an error listing every reason', async () => {
    await expect(selectBackend('auto', { loaders: fakeLoaders(['tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm', 'cpu'], []), log: () => {} })).rejects.toThrow(
      /No compute backend.*tensorflow-gpu: tensorflow-gpu missing.*cpu: cpu missing/,
    );
  });

  it('an explicitly requested backend that fails is an error, not a fallback', async () => {
    const tried: BackendName[] = [];
    const attempt = selectBackend('tensorflow', { loaders: fakeLoaders(['tensorflow'], tried), log: () => {} });
    await expect(attempt).rejects.toBeInstanceOf(BackendError);
    await expect(selectBackend('tensorflow', { loaders: fakeLoaders(['tensorflow'], []), log: () => {} })).rejects.toThrow(
      'Backend "tensorflow" was requested but cannot be used: tensorflow missing',
    );
    expect(tried).toEqual(['tensorflow']);
  });

  it('rejects unknown backend names, listing the valid ones', () => {
    expect(parseBackendRequest('wasm')).toBe('wasm');
    expect(() => parseBackendRequest('gpu')).toThrow('Unknown backend "gpu". Choose one of: auto, tensorflow-gpu, webgpu, tensorflow, wasm, cpu.');
  });
});

describe('selectBackend with the real loaders on this machine', () => {
  it('auto skips the uninstalled TensorFlow bindings and lands on a working CPU backend that computes', async () => {
    const s = await selectBackend('auto', { log: () => {} });
    // tfjs-node(-gpu) cannot install offline; on a GPU machine this test would see tensorflow-gpu.
    if (s.name === 'wasm' || s.name === 'cpu') {
      expect(s.skipped.map((x) => x.name)).toEqual(
        s.name === 'wasm' ? ['tensorflow-gpu', 'webgpu', 'tensorflow'] : ['tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm'],
      );
      expect(s.skipped[0].reason).toContain('@tensorflow/tfjs-node-gpu');
    }
    expect(tf.getBackend()).toBe(s.tfBackend);
    const y = tf.add(tf.tensor1d([1, 2]), tf.tensor1d([3, 4]));
    expect(Array.from(await y.data())).toEqual([4, 6]);
    y.dispose();
  });

  it('requesting the uninstalled GPU backend explicitly fails with the reason', async () => {
    let installed = true;
    try {
      await import('@tensorflow/tfjs-node-gpu' as string);
    } catch {
      installed = false;
    }
    if (installed) return; // a GPU machine: nothing to check here
    await expect(selectBackend('tensorflow-gpu', { log: () => {} })).rejects.toThrow(
      /Backend "tensorflow-gpu" was requested but cannot be used: @tensorflow\/tfjs-node-gpu is not installed/,
    );
  });
});
