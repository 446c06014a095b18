/**
 * Importing @lesionseg/models replaces the wasm backend's slow/wrong kernels (see
 * register-fast-conv3d.ts, register-fast-copies.ts), so any code path that ends up on 'wasm'
 * (selectBackend('auto') on a machine without tfjs-node) trains correctly and fast.
 * The wasm backend module registers its own kernels when it is first imported, which would
 * overwrite ours: import it here first. Only 'wasm' kernels change; tfjs-node's native
 * kernels and the 'cpu' backend are untouched.
 * Set LESIONSEG_STOCK_WASM=1 to keep the stock kernels (benchmarks compare both).
 */
import '@tensorflow/tfjs-backend-wasm';
import { registerKernelsFor } from '../register-kernels.ts';

// Not awaited (no top-level await in the library's import): the wasm branch registers synchronously.
if (process.env.LESIONSEG_STOCK_WASM !== '1') void registerKernelsFor('wasm');
