/**
 * What a WebGPU adapter is, in words, and why there may be none. Pure functions over the
 * adapter's info and limits (no Dawn import), so `auto`'s software-adapter rule and the error
 * messages are testable with injected adapter info.
 */
import { existsSync, readdirSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';

/** The adapter fields lesionseg uses (a subset of WebGPU's GPUAdapter; no @webgpu/types needed). */
export interface AdapterLike {
  info?: { vendor?: string; architecture?: string; device?: string; description?: string; isFallbackAdapter?: boolean };
  limits: Record<string, number | undefined>;
  features: { has(name: string): boolean; [Symbol.iterator]?(): Iterator<string> };
  isFallbackAdapter?: boolean;
}

export interface AdapterSummary {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** A CPU implementation (lavapipe/llvmpipe, SwiftShader, WARP): slower than our wasm kernels. */
  software: boolean;
  maxStorageBufferBindingSize: number;
  maxBufferSize: number;
  maxComputeWorkgroupStorageSize: number;
  maxComputeInvocationsPerWorkgroup: number;
  features: string[];
}

const SOFTWARE_NAMES = /llvmpipe|lavapipe|swiftshader|softpipe|\bwarp\b|microsoft basic render/i;

export function summarizeAdapter(adapter: AdapterLike): AdapterSummary {
  const info = adapter.info ?? {};
  const vendor = info.vendor ?? '';
  const architecture = info.architecture ?? '';
  const device = info.device ?? '';
  const description = info.description ?? '';
  const fallback = info.isFallbackAdapter === true || adapter.isFallbackAdapter === true;
  const software = fallback || architecture === 'software' || SOFTWARE_NAMES.test(`${device} ${description}`);
  const features = adapter.features[Symbol.iterator] ? [...(adapter.features as Iterable<string>)] : [];
  const limit = (name: string): number => Number(adapter.limits[name] ?? 0);
  return {
    vendor,
    architecture,
    device,
    description,
    software,
    maxStorageBufferBindingSize: limit('maxStorageBufferBindingSize'),
    maxBufferSize: limit('maxBufferSize'),
    maxComputeWorkgroupStorageSize: limit('maxComputeWorkgroupStorageSize'),
    maxComputeInvocationsPerWorkgroup: limit('maxComputeInvocationsPerWorkgroup'),
    features: features.sort(),
  };
}

function bytes(n: number): string {
  if (n >= 2 ** 30) return `${+(n / 2 ** 30).toFixed(1)} GiB`;
  if (n >= 2 ** 20) return `${+(n / 2 ** 20).toFixed(1)} MiB`;
  return `${+(n / 2 ** 10).toFixed(1)} KiB`;
}

/** One line for the start-up log: vendor, architecture, device and the limits that bound our passes. */
export function describeAdapter(s: AdapterSummary): string {
  const name = [s.vendor || 'unknown vendor', s.architecture || 'unknown architecture', s.device || 'unknown device'].join(' / ');
  const shown = ['shader-f16', 'subgroups', 'timestamp-query'].filter((f) => s.features.includes(f));
  return (
    `${name}${s.description && s.description !== s.device ? ` (${s.description})` : ''}${s.software ? ', software' : ''}; ` +
    `maxStorageBufferBindingSize ${bytes(s.maxStorageBufferBindingSize)}, maxBufferSize ${bytes(s.maxBufferSize)}, ` +
    `workgroup storage ${bytes(s.maxComputeWorkgroupStorageSize)}, ${s.maxComputeInvocationsPerWorkgroup} invocations/workgroup` +
    (shown.length ? `; ${shown.join(', ')}` : '')
  );
}

/** Why `auto` does not take a software adapter (null when it is hardware). */
export function autoRefusal(s: AdapterSummary): string | null {
  if (!s.software) return null;
  return (
    `the only WebGPU adapter is a software one (${s.device || s.description || s.vendor}), slower than the wasm kernels; ` +
    'auto skips it (use --backend webgpu to run on it anyway)'
  );
}

function splitList(value: string | undefined): string[] {
  return (value ?? '').split(delimiter).filter((p) => p.length > 0);
}

/** Where the Vulkan loader may be found, in Dawn's order: beside dawn.node, beside node, then the system's paths. */
export function vulkanLoaderCandidates(dawnNodePath: string | null, env: NodeJS.ProcessEnv = process.env): string[] {
  const dirs = [
    ...(dawnNodePath ? [dirname(dawnNodePath)] : []),
    dirname(process.execPath),
    ...splitList(env.LD_LIBRARY_PATH),
    '/lib/x86_64-linux-gnu',
    '/usr/lib/x86_64-linux-gnu',
    '/lib/aarch64-linux-gnu',
    '/usr/lib/aarch64-linux-gnu',
    '/usr/lib64',
    '/lib64',
    '/usr/lib',
    '/usr/local/lib',
  ];
  return dirs.map((d) => join(d, 'libvulkan.so.1'));
}

/** The Vulkan driver manifests (ICD json files) the loader would read. */
export function vulkanDriverManifests(env: NodeJS.ProcessEnv = process.env): { source: string; files: string[] } {
  const explicit = env.VK_DRIVER_FILES ?? env.VK_ICD_FILENAMES;
  if (explicit) {
    const files = splitList(explicit).flatMap((p) => (p.endsWith('.json') ? (existsSync(p) ? [p] : []) : listJson(p)));
    return { source: env.VK_DRIVER_FILES ? 'VK_DRIVER_FILES' : 'VK_ICD_FILENAMES', files };
  }
  const dataDirs = [...splitList(env.XDG_DATA_DIRS), '/usr/local/share', '/usr/share', '/etc'];
  const dirs = [...new Set(dataDirs.map((d) => join(d, 'vulkan', 'icd.d')))];
  return { source: dirs.join(', '), files: dirs.flatMap(listJson) };
}

function listJson(dir: string): string[] {
  try {
    return readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .map((f) => join(dir, f));
  } catch {
    return [];
  }
}

/**
 * Why Dawn returned no adapter, as far as the files on this machine tell: no Vulkan loader, no
 * Vulkan driver, or drivers that Dawn refused (e.g. Mesa 22's lavapipe lacks a feature Dawn needs).
 */
export function diagnoseNoAdapter(dawnNodePath: string | null, env: NodeJS.ProcessEnv = process.env, exists: (p: string) => boolean = existsSync): string {
  if (process.platform !== 'linux') return `Dawn found no WebGPU adapter on ${process.platform} (needs Metal on macOS, D3D12 on Windows)`;
  const loaders = vulkanLoaderCandidates(dawnNodePath, env);
  if (!loaders.some(exists)) {
    return (
      'no Vulkan loader: libvulkan.so.1 is not beside dawn.node, beside node, or on the library path ' +
      '(install libvulkan1, or put libvulkan.so.1 beside dawn.node)'
    );
  }
  const drivers = vulkanDriverManifests(env);
  if (drivers.files.length === 0) {
    return (
      `no Vulkan driver: no ICD manifest in ${drivers.source} ` +
      "(install the GPU vendor's Vulkan driver, or Mesa's lavapipe for a CPU driver: tools/gpu/install-lavapipe.sh)"
    );
  }
  return (
    `Dawn refused every Vulkan adapter (drivers: ${drivers.files.map((f) => f.split('/').pop()).join(', ')}); ` +
    "Dawn needs Vulkan 1.1 with shaderUniform/StorageBufferArrayDynamicIndexing: Mesa's lavapipe needs Mesa >= 25 " +
    '(Debian bookworm-backports), 22.x is refused; Dawn\'s reason is in the "Warning:" lines above'
  );
}
