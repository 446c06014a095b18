/**
 * Loader for simd-kernels.wasm (built from libs/models/assembly/ by `npm run build:wasm -w
 * libs/models`): WebAssembly SIMD convolution kernels that work directly on tensors in tfjs's
 * wasm backend memory. The module imports that backend's WebAssembly.Memory, so tensors are
 * passed as byte offsets, with no copy in or out.
 *
 * One instance per backend memory (a re-created backend gets a new one). Where the module
 * cannot be instantiated against the backend (no exported memory, or the threaded build's
 * shared memory) `simdKernelsFor` returns undefined and callers keep the tfjs-op path.
 */
import { readFileSync } from 'node:fs';

export interface SimdKernels {
  /** Stride-1 conv: x [n,d,h,w,ci], k [kd,kh,kw,ci,co] -> y [n,dO,hO,wO,co]. 0 if co % 4 != 0. */
  conv3dForward(x: number, k: number, y: number, n: number, d: number, h: number, w: number, ci: number, dO: number, hO: number, wO: number, co: number, kd: number, kh: number, kw: number, pf: number, pt: number, pl: number): number;
  /** Its filter gradient from x and dy [n,dO,hO,wO,co] into dw [kd,kh,kw,ci,co]. 0 if co % 4 != 0. */
  conv3dFilterGrad(x: number, dy: number, dw: number, n: number, d: number, h: number, w: number, ci: number, dO: number, hO: number, wO: number, co: number, kd: number, kh: number, kw: number, pf: number, pt: number, pl: number): number;
}

/** The parts of tfjs's wasm backend object used here. */
export interface WasmBackendMemory {
  wasm?: { asm?: { memory?: unknown } };
}

// The project's lib settings carry no WebAssembly typings (no DOM lib): the few members used here.
interface WasmMemory {
  readonly buffer: ArrayBuffer;
}
interface WasmApi {
  Memory: abstract new (...args: never[]) => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: Record<string, Record<string, unknown>>) => { exports: Record<string, unknown> };
}
const wasmApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

export const SIMD_KERNELS_URL = new URL('./simd-kernels.wasm', import.meta.url);

let compiled: object | undefined;
const instances = new WeakMap<WasmMemory, SimdKernels | null>();
// LESIONSEG_SIMD_KERNELS=0 keeps the XNNPACK-op path everywhere, worker replicas included (A/B benchmarks).
let enabled = process.env.LESIONSEG_SIMD_KERNELS !== '0';

/** The kernels bound to this backend's memory, or undefined when they cannot be used. */
export function simdKernelsFor(backend: WasmBackendMemory): SimdKernels | undefined {
  if (!enabled) return undefined;
  const memory = backend.wasm?.asm?.memory;
  if (!(memory instanceof wasmApi.Memory)) return undefined;
  let kernels = instances.get(memory);
  if (kernels === undefined) {
    try {
      compiled ??= new wasmApi.Module(readFileSync(SIMD_KERNELS_URL));
      kernels = new wasmApi.Instance(compiled, { env: { memory } }).exports as unknown as SimdKernels;
    } catch {
      kernels = null; // e.g. shared memory of the threaded build: the import type does not match
    }
    instances.set(memory, kernels);
  }
  return kernels ?? undefined;
}

/** Switch the SIMD kernels off (true -> on again): benchmarks and tests compare both paths. */
export function setSimdKernelsEnabled(on: boolean): void {
  enabled = on;
}
