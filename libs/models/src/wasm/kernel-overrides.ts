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

type GradConfig = Parameters<typeof tf.registerGradient>[0];

/**
 * New kernels (names tfjs does not have) for one backend, together with the gradient that
 * autodiff uses for one of them: registered and unregistered as a set, idempotently. The
 * gradient is global in tfjs (not per backend) and stays registered; without the kernels it is
 * never reached.
 */
export class CustomKernels {
  private registered = false;

  constructor(
    private readonly backend: string,
    private readonly kernels: readonly [string, KernelFunc][],
    private readonly gradient: GradConfig,
  ) {}

  register(): void {
    if (this.registered) return;
    this.registered = true;
    for (const [kernelName, kernelFunc] of this.kernels) tf.registerKernel({ kernelName, backendName: this.backend, kernelFunc });
    if (!tf.getGradient(this.gradient.kernelName)) tf.registerGradient(this.gradient);
  }

  unregister(): void {
    if (!this.registered) return;
    this.registered = false;
    for (const [name] of this.kernels) tf.unregisterKernel(name, this.backend);
  }
}

/** Whether the active backend has a kernel called `name` (a custom kernel's op checks this to choose its path). */
export function kernelOnActiveBackend(name: string): boolean {
  return tf.getKernel(name, tf.getBackend()) !== undefined;
}
