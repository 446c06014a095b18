// Entry of the device bundle (tools/gpu/make-device-bundle.sh): the optional WebGPU packages are
// imported statically here so that esbuild bundles them (the loader imports them by a variable
// name, which a bundle cannot resolve), then handed to the loader before the benchmark runs.
import * as dawn from 'webgpu';
import * as tfWebgpu from '@tensorflow/tfjs-backend-webgpu';
import { provideWebgpuModules } from '@lesionseg/models';

provideWebgpuModules(dawn, tfWebgpu);
await import('../bench/webgpu-bench.ts');
