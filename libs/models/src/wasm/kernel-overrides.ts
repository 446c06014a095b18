import * as tf from '@tensorflow/tfjs-core';

type KernelFunc = tf.KernelConfig['kernelFunc'];
type SetupFunc = tf.KernelConfig['setupFunc'];

/**
 * A set of kernels that replace a backend's own, idempotently and reversibly. The originals
 * are kept: replacements fall back to them for cases they do not handle, and `unregister`
 * puts them back (tests and benchmarks compare both).
 */
export class KernelOverrides {
  private originals: Partial<Record<string, KernelFunc>> | undefined;
  private readonly setups: Partial<Record<string, SetupFunc>> = {};

  constructor(
    private readonly backend: string,
    private readonly kernels: readonly [string, KernelFunc][],
  ) {}

  get registered(): boolean {
    return this.originals !== undefined;
  }

  /** The backend's own kernel that `name` replaced. */
  original(name: string): KernelFunc {
    const fn = this.originals?.[name];
    if (!fn) throw new Error(`no original ${this.backend} kernel "${name}" to fall back to`);
    return fn;
  }

  register(): void {
    if (this.originals) return;
    this.originals = {};
    for (const [name, fn] of this.kernels) {
      const existing = tf.getKernel(name, this.backend);
      if (existing) {
        this.originals[name] = existing.kernelFunc;
        this.setups[name] = existing.setupFunc;
        tf.unregisterKernel(name, this.backend);
      }
      // Keep the original's setupFunc: the backend runs it at initialisation, and our fallbacks
      // call the original kernel function, which needs it.
      tf.registerKernel({ kernelName: name, backendName: this.backend, kernelFunc: fn, setupFunc: existing?.setupFunc });
    }
  }

  unregister(): void {
    if (!this.originals) return;
    for (const [name] of this.kernels) {
      tf.unregisterKernel(name, this.backend);
      const fn = this.originals[name];
      if (fn) tf.registerKernel({ kernelName: name, backendName: this.backend, kernelFunc: fn, setupFunc: this.setups[name] });
    }
    this.originals = undefined;
  }
}
