/**
 * The `webgpu` backend end to end on whatever adapter this machine has (CI: Mesa's lavapipe):
 * selection (auto refuses a software adapter, accepts an injected hardware one, takes lavapipe
 * by name), the PyTorch parity of the whole UNet, no leaked tensors over repeated calls, passes
 * split under the device's binding limit, and GPU errors turned into a thrown GpuError.
 * Skips, loudly, without an adapter.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultLoaders, selectBackend } from '../src/backend/select-backend.ts';
import { summarizeAdapter, type AdapterSummary } from '../src/backend/webgpu-adapter.ts';
import { GpuError } from '../src/backend/webgpu-loader.ts';
import { deviceLimits, setDeviceLimits } from '../src/backend/device-limits.ts';
import { bceWithLogitsPerPatch } from '../src/loss/patch-loss.ts';
import { largestTensorBytesPerPatch, patchesPerPass } from '../src/train/memory-budget.ts';
import { createAdam } from '../src/train/optimizer.ts';
import { scorePatches, trainStep } from '../src/train/train-step.ts';
import { slidingWindowPredict } from '../src/inference/sliding-window.ts';
import { createUNet } from '../src/unet/unet.ts';
import { loadFixture, relMaxError } from './fixtures.ts';
import { syntheticBatch } from './synthetic.ts';
import { skipLoudly, useWebgpu, webgpuAdapter } from './webgpu.ts';

const probe = await webgpuAdapter();
skipLoudly('libs/models/test/webgpu-backend.test.ts', probe);
const TINY = { widths: [4, 8], groups: 2, inChannels: 2, seed: 3 };

/** What an NVIDIA H200 would report through Vulkan (the limits are the real adapter's). */
function hardwareInfo(real: AdapterSummary): AdapterSummary {
  return summarizeAdapter({
    info: { vendor: 'nvidia', architecture: 'hopper', device: 'NVIDIA H200', description: 'NVIDIA H200' },
    limits: { maxStorageBufferBindingSize: real.maxStorageBufferBindingSize, maxBufferSize: real.maxBufferSize },
    features: new Set(real.features),
  });
}

describe.skipIf(!probe.ok)('webgpu backend selection on the real adapter', () => {
  it('auto skips a software adapter and says why; by name it starts and names the adapter and its limits', async () => {
    if (!probe.ok) return;
    const lines: string[] = [];
    const auto = await selectBackend('auto', { log: (l) => lines.push(l) });
    if (probe.adapter.software) {
      expect(auto.name).not.toBe('webgpu');
      const skipped = auto.skipped.find((s) => s.name === 'webgpu');
      expect(skipped?.reason).toMatch(/software one \(.*\), slower than the wasm kernels; auto skips it \(use --backend webgpu/);
      expect(lines.join('\n')).toContain('skipped webgpu: the only WebGPU adapter is a software one');
    } else {
      expect(auto.name === 'tensorflow-gpu' || auto.name === 'webgpu').toBe(true);
    }
    lines.length = 0;
    const byName = await selectBackend('webgpu', { log: (l) => lines.push(l) });
    expect(byName).toMatchObject({ name: 'webgpu', tfBackend: 'webgpu' });
    const adapterLine = lines.find((l) => l.startsWith('webgpu adapter: ')) ?? '';
    expect(adapterLine).toContain(`${probe.adapter.vendor} / ${probe.adapter.architecture} / ${probe.adapter.device}`);
    expect(adapterLine).toMatch(/maxStorageBufferBindingSize \d+(\.\d)? [MG]iB, maxBufferSize/);
  });

  it('auto takes webgpu when the adapter reports hardware (injected adapter info), before tensorflow and wasm', async () => {
    const lines: string[] = [];
    const s = await selectBackend('auto', {
      loaders: defaultLoaders({ webgpuAdapterInfo: hardwareInfo, log: (l) => lines.push(l) }),
      log: (l) => lines.push(l),
    });
    expect(s.name).toBe('webgpu');
    expect(s.skipped.map((x) => x.name)).toEqual(['tensorflow-gpu']);
    expect(lines).toContain('backend: webgpu (auto; tfjs backend "webgpu")');
    expect(lines.some((l) => l.startsWith('webgpu adapter: nvidia / hopper / NVIDIA H200'))).toBe(true);
    // A hardware adapter gets GPU-sized sliding-window batches.
    expect(deviceLimits().windowBatch).toBe(64);
    // Back to the real adapter's limits for the tests below.
    await selectBackend('webgpu', { log: () => {} });
    expect(deviceLimits().windowBatch).toBe(probe.ok && probe.adapter.software ? 8 : 64);
  });
});

describe.skipIf(!probe.ok)('the UNet on webgpu', () => {
  beforeAll(useWebgpu);
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  it('matches PyTorch (tools/reference/torch_unet_parity.py): logits, loss and every gradient', async () => {
    await useWebgpu();
    const fx = loadFixture('unet_parity');
    const names = fx.meta.params as string[];
    const model = createUNet(
      { widths: fx.meta.widths as number[], groups: fx.meta.groups as number },
      new Map(names.map((n) => [n, fx.get(`param:${n}`).data])),
    );
    const input = fx.get('input');
    const mask = fx.get('mask');
    const x = tf.tensor5d(input.data, input.shape as [number, number, number, number, number]);
    const m = tf.tensor5d(mask.data, mask.shape as [number, number, number, number, number]);
    const logits = model.forward(x);
    expect(relMaxError(await logits.data(), fx.get('logits').data)).toBeLessThan(2e-5);
    const vars = [...model.params.values()];
    const { value, grads } = tf.variableGrads(() => tf.mean(bceWithLogitsPerPatch(model.forward(x, true), m)) as tf.Scalar, vars);
    expect(Math.abs((await value.data())[0] - (fx.meta.loss as number)) / (fx.meta.loss as number)).toBeLessThan(1e-5);
    const globalScale = Math.max(...names.map((n) => Math.max(...Array.from(fx.get(`grad:${n}`).data, Math.abs))));
    let worst = 0;
    for (const [name, v] of model.params) {
      const err = relMaxError(await grads[v.name].data(), fx.get(`grad:${name}`).data, 1e-2 * globalScale);
      worst = Math.max(worst, err);
      expect(err, name).toBeLessThan(1e-4);
    }
    expect(worst).toBeGreaterThan(0);
    console.log(`webgpu parity: worst gradient error ${worst.toExponential(2)}`);
    tf.dispose([x, m, logits, value, ...Object.values(grads)]);
    model.dispose();
  });

  it('leaks no tensor over repeated train steps, scoring and sliding-window prediction', async () => {
    await useWebgpu();
    const model = createUNet(TINY);
    const optimizer = createAdam(1e-3, {});
    const batch = syntheticBatch(2, 8, 5);
    const shape: [number, number, number] = [12, 10, 9]; // 8 windows of 8
    const n = shape[0] * shape[1] * shape[2];
    const volume = [new Float32Array(n).map((_, i) => Math.sin(i)), new Float32Array(n).map((_, i) => Math.cos(i))];
    const round = async (): Promise<void> => {
      await trainStep(model, optimizer, batch, { microBatch: 1 });
      await scorePatches(model, batch, { chunk: 1 });
      await slidingWindowPredict(model, volume, shape, { window: 8, stride: 6, batchSize: 3 });
    };
    await round(); // the first call creates Adam's moments
    const before = tf.memory().numTensors;
    for (let i = 0; i < 2; i++) await round();
    expect(tf.memory().numTensors).toBe(before);
    optimizer.dispose();
    model.dispose();
  }, 180_000);

  it('splits passes so that no tensor exceeds the binding limit, with the same results', async () => {
    await useWebgpu();
    const model = createUNet(TINY);
    const batch = syntheticBatch(5, 8, 9);
    const whole = await scorePatches(model, batch, { chunk: 5 });
    const limits = deviceLimits();
    const perPatch = largestTensorBytesPerPatch(model.options, batch.shape);
    try {
      setDeviceLimits('webgpu', { ...limits, maxTensorBytes: 2 * perPatch });
      expect(patchesPerPass(5, model.options, batch.shape, 'infer')).toBe(2);
      const split = await scorePatches(model, batch, { chunk: 5 });
      expect(relMaxError(split, whole)).toBeLessThan(1e-6);
    } finally {
      setDeviceLimits('webgpu', limits);
    }
    model.dispose();
  });

  it('turns an uncaptured GPU error into a GpuError at the next read, keeps the weights, and works again after', async () => {
    await useWebgpu();
    const model = createUNet(TINY);
    const optimizer = createAdam(1e-3, {});
    const batch = syntheticBatch(2, 8, 1);
    await trainStep(model, optimizer, batch);
    const first = [...model.params.values()][0];
    const weightsBefore = await first.data();
    const device = (tf.backend() as unknown as { device: { createBuffer(d: object): { destroy(): void } } }).device;
    // A buffer over maxBufferSize: Dawn reports it only through 'uncapturederror', as it would an out-of-memory.
    device.createBuffer({ size: 2 ** 52, usage: 0x80 /* STORAGE */ });
    await expect(trainStep(model, optimizer, batch)).rejects.toThrow(GpuError);
    expect(await first.data()).toEqual(weightsBefore);
    const r = await trainStep(model, optimizer, batch);
    expect(Number.isFinite(r.loss)).toBe(true);
    optimizer.dispose();
    model.dispose();
  });
});
