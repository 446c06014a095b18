/**
 * The `webgpu` backend: tfjs's WebGPU backend on Dawn's Node bindings (`webgpu` on npm), both
 * optional dependencies. Dawn is created once per process; we request the device ourselves
 * (with the adapter's full buffer limits) so that we can watch it: a lost device or an
 * uncaptured GPU error (out of memory, a binding over the limits) is recorded and thrown, with
 * its reason, at the next read of a tensor — the step that caused it fails with a clear message
 * and the trainer saves its checkpoint, instead of computing on with invalid buffers.
 */
import * as tf from '@tensorflow/tfjs-core';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { autoRefusal, describeAdapter, diagnoseNoAdapter, summarizeAdapter, type AdapterLike, type AdapterSummary } from './webgpu-adapter.ts';
import { setDeviceLimits, type DeviceLimits } from './device-limits.ts';
import { UserError } from '@lesionseg/events';

/** The GPUDevice fields used here. */
interface DeviceLike {
  lost: Promise<{ reason?: string; message?: string }>;
  addEventListener(type: 'uncapturederror', listener: (event: { error?: { message?: string; constructor?: { name?: string } } }) => void): void;
  destroy(): void;
}

interface GpuLike {
  requestAdapter(options?: { powerPreference?: string }): Promise<(AdapterLike & { requestDevice(d: object): Promise<DeviceLike> }) | null>;
}

interface DawnModule {
  create(flags: string[]): GpuLike;
  globals: object;
}

interface TfWebgpuModule {
  WebGPUBackend: new (device: DeviceLike, adapterInfo: unknown) => tf.KernelBackend;
}

/** A GPU failure seen by Dawn (device lost, out of memory, validation), with what to do about it. */
export class GpuError extends UserError {
  constructor(message: string) {
    super(message);
    this.name = 'GpuError';
  }
}

export interface WebgpuLoadOptions {
  /** auto: refuse a software adapter (with the reason). Requested by name: take any adapter. */
  requireHardware: boolean;
  /** Test seam: replace what the adapter says about itself (the real adapter still runs). */
  adapterInfo?: (real: AdapterSummary) => AdapterSummary;
  log?: (line: string) => void;
}

interface Started {
  gpu: GpuLike;
  device: DeviceLike;
  adapter: AdapterSummary;
  /** The device is gone: every later read throws this. */
  lost: GpuError | null;
  /** An uncaptured error (out of memory, validation) since the last read: the next read throws it, once. */
  pending: GpuError | null;
}

let started: Promise<Started> | null = null;
let provided: { dawn: DawnModule; tfw: TfWebgpuModule } | null = null;

/**
 * Hand the two optional packages over instead of importing them by name: a bundle
 * (tools/gpu/make-device-bundle.sh) has no node_modules to import them from at run time.
 */
export function provideWebgpuModules(dawn: unknown, tfWebgpu: unknown): void {
  provided = { dawn: dawn as DawnModule, tfw: tfWebgpu as TfWebgpuModule };
}
let released = false;

async function importOptional<T>(specifier: string): Promise<T> {
  try {
    return (await import(specifier)) as T;
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
      throw new Error(`${specifier} is not installed (an optional dependency of @lesionseg/models; \`npm ci\` installs it)`);
    }
    throw error;
  }
}

/** dawn.node's path, for the diagnosis (the loader is looked for beside it). */
function dawnNodePath(): string | null {
  try {
    const require = createRequire(import.meta.url);
    const pkg = require.resolve('webgpu/package.json');
    const arch = process.platform === 'darwin' ? 'universal' : process.arch;
    return join(pkg, '..', 'dist', `${process.platform}-${arch}`, 'dawn.node');
  } catch {
    return null;
  }
}

function setNavigatorGpu(gpu: GpuLike | undefined): void {
  const nav = (globalThis as { navigator?: { gpu?: unknown } }).navigator;
  if (nav && Object.isExtensible(nav)) {
    try {
      Object.defineProperty(nav, 'gpu', { value: gpu, configurable: true, writable: true });
      return;
    } catch {
      // a read-only navigator (Node >= 21 has one): replace it below
    }
  }
  Object.defineProperty(globalThis, 'navigator', { value: { ...(nav ?? {}), gpu }, configurable: true, writable: true });
}

function watch(device: DeviceLike, state: Started, log: (line: string) => void): void {
  void device.lost.then((info) => {
    if (released && info.reason === 'destroyed') return;
    state.lost ??= new GpuError(
      `the WebGPU device was lost (${info.reason ?? 'unknown reason'}${info.message ? `: ${info.message}` : ''}); ` +
        'a driver reset or another process may have taken the GPU',
    );
    log(`webgpu: ${state.lost.message}`);
  });
  device.addEventListener('uncapturederror', (event) => {
    const kind = event.error?.constructor?.name ?? 'GPUError';
    const message = event.error?.message?.split('\n')[0] ?? 'no message';
    const hint = kind === 'GPUOutOfMemoryError' ? ': out of GPU memory; lower the batch or model.microBatch, or set LESIONSEG_GPU_MEMORY_GIB lower' : '';
    state.pending ??= new GpuError(`WebGPU ${kind}: ${message}${hint}`);
  });
}

/**
 * Make tensor reads on this backend throw a recorded GPU failure instead of returning invalid
 * data. An uncaptured error is thrown once (the device still works: the caller may save a
 * checkpoint after it); a lost device on every read.
 */
function guardReads(backend: tf.KernelBackend, state: Started): void {
  const b = backend as unknown as { read(id: object): Promise<unknown>; readSync(id: object): unknown };
  const read = b.read.bind(b);
  const readSync = b.readSync.bind(b);
  const check = (): void => {
    if (state.lost) throw state.lost;
    const pending = state.pending;
    if (pending) {
      state.pending = null;
      throw pending;
    }
  };
  b.read = async (id) => {
    check();
    let values: unknown;
    try {
      values = await read(id);
    } catch (error) {
      check();
      throw error;
    }
    check();
    return values;
  };
  b.readSync = (id) => {
    check();
    const values = readSync(id);
    check();
    return values;
  };
}

/** GPU pass limits from the adapter: the largest binding, and a memory budget (WebGPU does not report VRAM). */
export function webgpuDeviceLimits(adapter: AdapterSummary, env: NodeJS.ProcessEnv = process.env): DeviceLimits {
  const gib = Number(env.LESIONSEG_GPU_MEMORY_GIB);
  const budget = Number.isFinite(gib) && gib > 0 ? gib * 2 ** 30 : adapter.software ? 1.5 * 2 ** 30 : 16 * 2 ** 30;
  const binding = Math.min(adapter.maxStorageBufferBindingSize || 128 * 2 ** 20, adapter.maxBufferSize || Infinity);
  return { maxTensorBytes: binding, memoryBudget: budget, windowBatch: adapter.software ? 8 : 64 };
}

async function start(log: (line: string) => void): Promise<Started> {
  const dawn = provided?.dawn ?? (await importOptional<DawnModule>('webgpu'));
  const tfw = provided?.tfw ?? (await importOptional<TfWebgpuModule>('@tensorflow/tfjs-backend-webgpu'));
  Object.assign(globalThis, dawn.globals);
  const gpu = dawn.create([]);
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) throw new Error(`Dawn found no WebGPU adapter: ${diagnoseNoAdapter(dawnNodePath())}`);
  const summary = summarizeAdapter(adapter);
  const features = ['timestamp-query'].filter((f) => adapter.features.has(f));
  const limitNames = [
    'maxStorageBufferBindingSize',
    'maxBufferSize',
    'maxComputeWorkgroupStorageSize',
    'maxComputeInvocationsPerWorkgroup',
    'maxComputeWorkgroupSizeX',
    'maxComputeWorkgroupsPerDimension',
  ];
  const requiredLimits = Object.fromEntries(limitNames.filter((n) => adapter.limits[n] !== undefined).map((n) => [n, adapter.limits[n]]));
  let device: DeviceLike;
  try {
    device = await adapter.requestDevice({ requiredFeatures: features, requiredLimits });
  } catch (error) {
    throw new Error(`the WebGPU adapter (${summary.device}) refused a device: ${(error as Error).message}`);
  }
  const state: Started = { gpu, device, adapter: summary, lost: null, pending: null };
  watch(device, state, log);
  // tfjs checks navigator.gpu when it constructs the backend; our factory hands it our device.
  setNavigatorGpu(gpu);
  if (tf.findBackendFactory('webgpu')) tf.removeBackend('webgpu');
  tf.registerBackend(
    'webgpu',
    () => {
      const backend = new tfw.WebGPUBackend(device, adapter.info);
      guardReads(backend, state);
      return backend;
    },
    3,
  );
  // Our WGSL kernels replace the stock ones for the webgpu backend only (libs/models/src/webgpu).
  await (await import('../register-kernels.ts')).registerKernelsFor('webgpu');
  return state;
}

/**
 * Start (once per process) and activate the webgpu backend. Throws with the reason when it
 * cannot: a missing package, no Vulkan loader or driver, no adapter, a software adapter under
 * `auto`, a refused device.
 */
export async function loadWebgpu(options: WebgpuLoadOptions): Promise<AdapterSummary> {
  if (released) throw new Error('the webgpu backend was released in this process (releaseWebgpu)');
  const log = options.log ?? ((line: string) => console.error(line));
  started ??= start(log);
  let state: Started;
  try {
    state = await started;
  } catch (error) {
    started = null;
    throw error;
  }
  const adapter = options.adapterInfo ? options.adapterInfo(state.adapter) : state.adapter;
  if (options.requireHardware) {
    const refusal = autoRefusal(adapter);
    if (refusal) throw new Error(refusal);
  }
  if (state.lost) throw state.lost;
  const ok = await tf.setBackend('webgpu');
  if (!ok || tf.getBackend() !== 'webgpu') throw new Error('tfjs could not initialise the "webgpu" backend on the Dawn device');
  await tf.ready();
  setDeviceLimits('webgpu', webgpuDeviceLimits(adapter));
  log(`webgpu adapter: ${describeAdapter(adapter)}`);
  return adapter;
}

/** The adapter in use, once the webgpu backend started. */
export async function activeWebgpuAdapter(): Promise<AdapterSummary | null> {
  if (!started) return null;
  try {
    return (await started).adapter;
  } catch {
    return null;
  }
}

/**
 * Destroy the device and drop Dawn's GPU object, so that nothing native keeps the process
 * alive. Call once at the end of a command; the backend cannot be used afterwards.
 */
export async function releaseWebgpu(): Promise<void> {
  if (!started || released) return;
  released = true;
  try {
    const state = await started;
    state.device.destroy();
  } catch {
    // never started: nothing to release
  }
  setNavigatorGpu(undefined);
}

export type WebgpuAvailability = { ok: true; adapter: AdapterSummary } | { ok: false; reason: string };

/**
 * Whether the webgpu backend can start here (any adapter, software included), without leaving
 * it active: the backend in use before stays in use. For tests that skip without an adapter.
 */
export async function webgpuAvailability(): Promise<WebgpuAvailability> {
  let previous: string | null = null;
  try {
    previous = tf.getBackend();
  } catch {
    previous = null;
  }
  try {
    const adapter = await loadWebgpu({ requireHardware: false, log: () => {} });
    if (previous && previous !== 'webgpu') await tf.setBackend(previous);
    return { ok: true, adapter };
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message.split('\n')[0] : String(error) };
  }
}
