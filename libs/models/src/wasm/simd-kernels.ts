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
import { setFlagsFromString } from 'node:v8';
import type { WasmBackend } from './wasm-heap.ts';

export interface SimdKernels {
  /** Stride-1 conv: x [n,d,h,w,ci], k [kd,kh,kw,ci,co] -> y [n,dO,hO,wO,co]. 0 if co % 4 != 0. */
  conv3dForward(
    x: number,
    k: number,
    y: number,
    n: number,
    d: number,
    h: number,
    w: number,
    ci: number,
    dO: number,
    hO: number,
    wO: number,
    co: number,
    kd: number,
    kh: number,
    kw: number,
    pf: number,
    pt: number,
    pl: number,
  ): number;
  /** 1x1x1 conv to one channel: y [voxels] = x [voxels, ci] k [ci]; ci % 4 == 0. */
  conv1x1To1(x: number, k: number, y: number, voxels: number, ci: number): void;
  /** 3x3x3 'same' conv by Winograd F(2x2x2, 3x3x3); ci % 4 == 0, co % 8 == 0 (else 0); scratch of winogradScratchBytes. */
  conv3dWinograd(x: number, k: number, y: number, scratch: number, n: number, d: number, h: number, w: number, ci: number, co: number): number;
  /** Its filter gradient from x and dy (same shapes as the forward's x and y), into dw [3,3,3,ci,co]. */
  conv3dWinogradFilterGrad(x: number, dy: number, dw: number, scratch: number, n: number, d: number, h: number, w: number, ci: number, co: number): number;
  winogradScratchBytes(ci: number, co: number): number;
  /** The same convolution by Winograd F(4x4x4, 3x3x3) (inference); scratch of winogradF4ScratchBytes. */
  conv3dWinogradF4(x: number, k: number, y: number, scratch: number, n: number, d: number, h: number, w: number, ci: number, co: number): number;
  winogradF4ScratchBytes(ci: number, co: number): number;
  /** Its filter gradient from x and dy [n,dO,hO,wO,co] into dw [kd,kh,kw,ci,co]. 0 if co % 4 != 0. */
  conv3dFilterGrad(
    x: number,
    dy: number,
    dw: number,
    n: number,
    d: number,
    h: number,
    w: number,
    ci: number,
    dO: number,
    hO: number,
    wO: number,
    co: number,
    kd: number,
    kh: number,
    kw: number,
    pf: number,
    pt: number,
    pl: number,
  ): number;
  /** y = [relu](GroupNorm(x + bias)); c % 4 == 0; bias 0 = none; scratch of 64 c bytes. */
  groupNormForward(
    x: number,
    bias: number,
    gamma: number,
    beta: number,
    y: number,
    mean: number,
    rstd: number,
    scratch: number,
    n: number,
    voxels: number,
    c: number,
    groups: number,
    eps: number,
    relu: number,
  ): void;
  /** Its gradient; dbias 0 = not wanted; scratch of 64 c bytes. */
  /** 2x2x2 / 2 max pooling, c % 4 == 0, and its gradient (dy to the last maximum). */
  maxPool2(x: number, y: number, n: number, d: number, h: number, w: number, c: number): void;
  maxPool2Grad(x: number, dy: number, dx: number, n: number, d: number, h: number, w: number, c: number): void;
  /** One axis of x2 trilinear upsampling on [outer, n, inner] (inner % 4 == 0), and its adjoint. */
  upsampleAxis(src: number, dst: number, outer: number, n: number, inner: number): void;
  upsampleAxisAdjoint(g: number, dst: number, outer: number, n: number, inner: number): void;
  /** Two tensors joined / split along the last axis, channel counts multiples of 4. */
  concatLast2(a: number, b: number, out: number, rows: number, ca: number, cb: number): void;
  splitLast2(src: number, a: number, b: number, rows: number, ca: number, cb: number): void;
  groupNormBackward(
    dy: number,
    x: number,
    y: number,
    bias: number,
    gamma: number,
    mean: number,
    rstd: number,
    dx: number,
    dgamma: number,
    dbeta: number,
    dbias: number,
    scratch: number,
    n: number,
    voxels: number,
    c: number,
    groups: number,
    relu: number,
  ): void;
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
/** The same kernels built with relaxed SIMD: fused multiply-adds (x86 FMA3). */
export const SIMD_FMA_KERNELS_URL = new URL('./simd-kernels-fma.wasm', import.meta.url);

/**
 * Which build to use. LESIONSEG_SIMD_KERNELS: unset or 'auto' (the FMA build where the runtime
 * takes it, else the plain one), 'fma', 'simd', or '0' (none: the XNNPACK-op path everywhere,
 * worker replicas included; for A/B benchmarks).
 */
export type SimdChoice = 'auto' | 'fma' | 'simd' | 'off';
function choiceFromEnv(): SimdChoice {
  const v = process.env.LESIONSEG_SIMD_KERNELS ?? 'auto';
  if (v === '0') return 'off';
  if (v === 'auto' || v === 'fma' || v === 'simd') return v;
  throw new Error(`LESIONSEG_SIMD_KERNELS must be auto, fma, simd or 0, not "${v}"`);
}

/**
 * Node 20 (V8 11.3) has relaxed SIMD behind a flag; V8 12 (Node 22) ships it. The flag only
 * widens what the WebAssembly compiler accepts, so turning it on at run time is harmless.
 */
function compileFma(): object | undefined {
  const bytes = readFileSync(SIMD_FMA_KERNELS_URL);
  const api = wasmApi as WasmApi & { validate(b: Uint8Array): boolean };
  if (!api.validate(bytes)) setFlagsFromString('--experimental-wasm-relaxed-simd');
  return api.validate(bytes) ? new wasmApi.Module(bytes) : undefined;
}

let choice = choiceFromEnv();
let compiled: { module: object; build: 'fma' | 'simd' } | undefined;
let instances = new WeakMap<WasmMemory, SimdKernels | null>();

function compile(): { module: object; build: 'fma' | 'simd' } {
  const fma = choice === 'simd' ? undefined : compileFma();
  if (fma) return { module: fma, build: 'fma' };
  if (choice === 'fma') throw new Error('LESIONSEG_SIMD_KERNELS=fma, but this runtime does not accept relaxed SIMD');
  return { module: new wasmApi.Module(readFileSync(SIMD_KERNELS_URL)), build: 'simd' };
}

/** The build in use ('fma' or 'simd'), once a kernel has run; undefined before or when off. */
export function simdBuild(): 'fma' | 'simd' | undefined {
  return choice === 'off' ? undefined : compiled?.build;
}

/** The kernels bound to this backend's memory, or undefined when they cannot be used. */
export function simdKernelsFor(backend: Pick<WasmBackend, 'wasm'>): SimdKernels | undefined {
  if (choice === 'off') return undefined;
  const memory = backend.wasm?.asm?.memory;
  if (!(memory instanceof wasmApi.Memory)) return undefined;
  let kernels = instances.get(memory);
  if (kernels === undefined) {
    try {
      compiled ??= compile();
      kernels = new wasmApi.Instance(compiled.module, { env: { memory } }).exports as unknown as SimdKernels;
    } catch {
      kernels = null; // e.g. shared memory of the threaded build: the import type does not match
    }
    instances.set(memory, kernels);
  }
  return kernels ?? undefined;
}

/** Choose the build from now on ('off': the XNNPACK-op path); benchmarks and tests compare them. */
export function useSimdKernels(build: SimdChoice): void {
  choice = build;
  compiled = undefined;
  instances = new WeakMap();
}
