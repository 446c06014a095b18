/**
 * The webgpu backend's decisions that need no GPU: which adapters `auto` refuses, what the
 * start-up line says, why there is no adapter, and the pass limits taken from the adapter.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PAPER_UNET } from '../../src/unet/options.ts';
import { largestTensorBytesPerPatch } from '../../src/train/memory-budget.ts';
import { autoRefusal, describeAdapter, diagnoseNoAdapter, summarizeAdapter } from '../../src/backend/webgpu-adapter.ts';
import { webgpuDeviceLimits } from '../../src/backend/webgpu-loader.ts';

const limits = {
  maxStorageBufferBindingSize: 2 ** 27,
  maxBufferSize: 2 ** 32 - 1,
  maxComputeWorkgroupStorageSize: 32768,
  maxComputeInvocationsPerWorkgroup: 1024,
};
const lavapipe = summarizeAdapter({
  info: { vendor: 'mesa', architecture: 'software', device: 'llvmpipe-llvm-15-0-6-256-bits-', description: 'llvmpipe: Mesa 25.0.7' },
  limits,
  features: new Set(['timestamp-query', 'shader-f16', 'core-features-and-limits']),
});
const h200 = summarizeAdapter({
  info: { vendor: 'nvidia', architecture: 'hopper', device: 'NVIDIA H200', description: '' },
  limits: { ...limits, maxStorageBufferBindingSize: 2 ** 31 },
  features: new Set(['subgroups']),
});

describe('adapter classification and the start-up line', () => {
  it('treats lavapipe, SwiftShader and fallback adapters as software, a named GPU as hardware', () => {
    expect(lavapipe.software).toBe(true);
    expect(h200.software).toBe(false);
    expect(
      summarizeAdapter({ info: { vendor: 'google', architecture: '', device: 'SwiftShader Device (Subzero)' }, limits, features: new Set() }).software,
    ).toBe(true);
    expect(summarizeAdapter({ info: { vendor: 'x', device: 'y', isFallbackAdapter: true }, limits, features: new Set() }).software).toBe(true);
  });

  it('auto refuses the software adapter with the reason and the way around it, and takes the GPU', () => {
    expect(autoRefusal(lavapipe)).toBe(
      'the only WebGPU adapter is a software one (llvmpipe-llvm-15-0-6-256-bits-), slower than the wasm kernels; auto skips it (use --backend webgpu to run on it anyway)',
    );
    expect(autoRefusal(h200)).toBeNull();
  });

  it('names vendor, architecture, device and the limits that bound our passes', () => {
    expect(describeAdapter(lavapipe)).toBe(
      'mesa / software / llvmpipe-llvm-15-0-6-256-bits- (llvmpipe: Mesa 25.0.7), software; maxStorageBufferBindingSize 128 MiB, ' +
        'maxBufferSize 4 GiB, workgroup storage 32 KiB, 1024 invocations/workgroup; shader-f16, timestamp-query',
    );
    expect(describeAdapter(h200)).toMatch(/^nvidia \/ hopper \/ NVIDIA H200; maxStorageBufferBindingSize 2 GiB/);
  });
});

describe('why there is no adapter', () => {
  const only =
    (...present: string[]) =>
    (p: string) =>
      present.includes(p);
  it('says when the Vulkan loader is missing', () => {
    expect(diagnoseNoAdapter('/x/dawn.node', { LD_LIBRARY_PATH: '' }, only())).toMatch(/^no Vulkan loader: libvulkan\.so\.1 is not beside dawn\.node/);
  });
  it('says when there is a loader but no driver manifest', () => {
    const msg = diagnoseNoAdapter('/x/dawn.node', { VK_DRIVER_FILES: '/nowhere/icd.json' }, only('/x/libvulkan.so.1'));
    expect(msg).toBe(
      "no Vulkan driver: no ICD manifest in VK_DRIVER_FILES (install the GPU vendor's Vulkan driver, or Mesa's lavapipe for a CPU driver: tools/gpu/install-lavapipe.sh)",
    );
  });
  it('says Dawn refused the drivers there are (e.g. an old lavapipe)', () => {
    const icd = mkdtempSync(join(tmpdir(), 'icd-'));
    writeFileSync(join(icd, 'lvp_icd.json'), '{}');
    const msg = diagnoseNoAdapter('/x/dawn.node', { VK_DRIVER_FILES: icd }, only('/x/libvulkan.so.1'));
    rmSync(icd, { recursive: true });
    expect(msg).toMatch(/^Dawn refused every Vulkan adapter \(drivers: lvp_icd\.json\); .*Mesa >= 25/);
  });
});

describe('pass limits from the adapter', () => {
  it('binds at most maxStorageBufferBindingSize, batches more windows on a GPU, and takes LESIONSEG_GPU_MEMORY_GIB', () => {
    expect(webgpuDeviceLimits(lavapipe, {})).toEqual({ maxTensorBytes: 2 ** 27, memoryBudget: 1.5 * 2 ** 30, windowBatch: 8 });
    expect(webgpuDeviceLimits(h200, {})).toEqual({ maxTensorBytes: 2 ** 31, memoryBudget: 16 * 2 ** 30, windowBatch: 64 });
    expect(webgpuDeviceLimits(h200, { LESIONSEG_GPU_MEMORY_GIB: '40' }).memoryBudget).toBe(40 * 2 ** 30);
  });
  it("the paper network's largest tensor per 32^3 patch is the top decoder's concatenation (16 + 32 channels)", () => {
    expect(largestTensorBytesPerPatch(PAPER_UNET, [32, 32, 32])).toBe(32 ** 3 * 48 * 4);
    // 128 MiB (lavapipe) holds 21 such patches: a batch of 32 must be split there.
    expect(Math.floor(2 ** 27 / largestTensorBytesPerPatch(PAPER_UNET, [32, 32, 32]))).toBe(21);
  });
});
