/**
 * Compute backend selection at start-up.
 *
 * `auto` tries, in order: tensorflow-gpu (@tensorflow/tfjs-node-gpu, an optionalDependency
 * whose install needs to download libtensorflow and so is absent on offline machines), then
 * webgpu (tfjs's WebGPU backend on Dawn, optional dependencies too) only on a hardware adapter
 * (a software one such as lavapipe is slower than our wasm kernels), then tensorflow
 * (@tensorflow/tfjs-node, if the user installed it), then the WebAssembly backend, then pure JS. It reports which one it got and why each earlier one was skipped. A backend
 * asked for by name that cannot load is an error, never a silent fallback: a user who asked
 * for the GPU must not find out after two hours that the run was on the CPU.
 */
import * as tf from '@tensorflow/tfjs-core';
import { loadWebgpu } from './webgpu-loader.ts';
import { UserError } from '@lesionseg/events';

/** Every value a user may ask for (`--backend`, config `backend`): 'auto' and the backends, in auto's order. */
export const BACKEND_NAMES = ['auto', 'tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm', 'cpu'] as const;
/** What a user may ask for: a backend, or 'auto'. */
export type BackendChoice = (typeof BACKEND_NAMES)[number];
/** A backend that runs (what a choice resolves to). */
export type BackendName = Exclude<BackendChoice, 'auto'>;

export interface BackendLoader {
  name: BackendName;
  /**
   * Load and activate the backend; throw with the reason when it cannot. `auto` is true when
   * `auto` tries it (webgpu then refuses a software adapter), false when asked for by name.
   */
  load(context?: { auto: boolean }): Promise<void>;
}

export interface BackendSelection {
  /** The backend in use. */
  name: BackendName;
  /** tfjs's own name for it (`tensorflow`, `webgpu`, `wasm`, `cpu`). */
  tfBackend: string;
  /** Backends tried before it, with the reason each could not be used. */
  skipped: { name: BackendName; reason: string }[];
}

export class BackendError extends UserError {
  constructor(message: string) {
    super(message);
    this.name = 'BackendError';
  }
}

export const AUTO_ORDER: readonly BackendName[] = ['tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm', 'cpu'];

export function parseBackendRequest(value: string): BackendChoice {
  if ((BACKEND_NAMES as readonly string[]).includes(value)) return value as BackendChoice;
  throw new BackendError(`Unknown backend "${value}". Choose one of: ${BACKEND_NAMES.join(', ')}.`);
}

function reasonOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  // Keep the first line: a failing native addon prints a long stack of paths after it.
  return message.split('\n')[0];
}

export interface SelectOptions {
  loaders?: readonly BackendLoader[];
  /** Where to say which backend was chosen. Default: stderr. Pass `() => {}` to silence. */
  log?: (line: string) => void;
}

export async function selectBackend(request: BackendChoice, options: SelectOptions = {}): Promise<BackendSelection> {
  const log = options.log ?? ((line: string) => console.error(line));
  const loaders = options.loaders ?? defaultLoaders({ log });
  const byName = new Map(loaders.map((l) => [l.name, l]));

  if (request !== 'auto') {
    const loader = byName.get(request);
    if (!loader) throw new BackendError(`Backend "${request}" has no loader.`);
    try {
      await loader.load({ auto: false });
    } catch (error) {
      throw new BackendError(`Backend "${request}" was requested but cannot be used: ${reasonOf(error)}`);
    }
    const selection = { name: request, tfBackend: tf.getBackend(), skipped: [] };
    log(`backend: ${request} (requested; tfjs backend "${selection.tfBackend}")`);
    return selection;
  }

  const skipped: BackendSelection['skipped'] = [];
  for (const name of AUTO_ORDER) {
    const loader = byName.get(name);
    if (!loader) continue;
    try {
      await loader.load({ auto: true });
    } catch (error) {
      skipped.push({ name, reason: reasonOf(error) });
      continue;
    }
    const selection = { name, tfBackend: tf.getBackend(), skipped };
    log(`backend: ${name} (auto; tfjs backend "${selection.tfBackend}")`);
    for (const s of skipped) log(`  skipped ${s.name}: ${s.reason}`);
    return selection;
  }
  throw new BackendError(`No compute backend could be loaded: ${skipped.map((s) => `${s.name}: ${s.reason}`).join('; ')}`);
}

/** Activate a tfjs backend that is registered, failing loudly (setBackend returns false, it does not throw). */
export async function activate(tfName: string): Promise<void> {
  const ok = await tf.setBackend(tfName);
  if (!ok || tf.getBackend() !== tfName) throw new BackendError(`tfjs could not initialise the "${tfName}" backend`);
  await tf.ready();
}

/**
 * Import a package that may be missing. The specifier is a variable on purpose: TypeScript
 * must not require the optional package's types, and bundlers must not try to inline it.
 */
async function importOptional(specifier: string, why: string): Promise<void> {
  try {
    await import(specifier);
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') throw new Error(`${specifier} is not installed (${why})`);
    throw error;
  }
}

export interface DefaultLoaderOptions {
  /** Where the webgpu loader names its adapter. Default: stderr. */
  log?: (line: string) => void;
  /** Test seam: what the WebGPU adapter says about itself (see webgpu-loader.ts). */
  webgpuAdapterInfo?: Parameters<typeof loadWebgpu>[0]['adapterInfo'];
}

export function defaultLoaders(options: DefaultLoaderOptions = {}): BackendLoader[] {
  return [
    {
      name: 'tensorflow-gpu',
      load: async () => {
        await importOptional('@tensorflow/tfjs-node-gpu', 'optional dependency; its install downloads libtensorflow with CUDA, see README "GPU"');
        await activate('tensorflow');
      },
    },
    {
      name: 'webgpu',
      load: async (context) => {
        await loadWebgpu({ requireHardware: context?.auto ?? false, adapterInfo: options.webgpuAdapterInfo, log: options.log });
      },
    },
    {
      name: 'tensorflow',
      load: async () => {
        await importOptional('@tensorflow/tfjs-node', 'not a dependency; `npm install @tensorflow/tfjs-node` on a machine with internet');
        await activate('tensorflow');
      },
    },
    {
      name: 'wasm',
      load: async () => {
        await import('@tensorflow/tfjs-backend-wasm');
        await activate('wasm');
      },
    },
    {
      name: 'cpu',
      load: async () => {
        await import('@tensorflow/tfjs-backend-cpu');
        await activate('cpu');
      },
    },
  ];
}
