export {
  selectBackend,
  parseBackendRequest,
  defaultLoaders,
  activate,
  BackendError,
  BACKEND_NAMES,
  AUTO_ORDER,
  type BackendChoice,
  type BackendName,
  type BackendLoader,
  type BackendSelection,
  type SelectOptions,
  type DefaultLoaderOptions,
} from './select-backend.ts';
export {
  loadWebgpu,
  releaseWebgpu,
  provideWebgpuModules,
  activeWebgpuAdapter,
  webgpuAvailability,
  type WebgpuAvailability,
  webgpuDeviceLimits,
  GpuError,
  type WebgpuLoadOptions,
} from './webgpu-loader.ts';
export { summarizeAdapter, describeAdapter, autoRefusal, diagnoseNoAdapter, type AdapterLike, type AdapterSummary } from './webgpu-adapter.ts';
export { deviceLimits, setDeviceLimits, CPU_DEVICE_LIMITS, type DeviceLimits } from './device-limits.ts';
