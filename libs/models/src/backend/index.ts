export {
  selectBackend,
  parseBackendRequest,
  defaultLoaders,
  activate,
  BackendError,
  BACKEND_NAMES,
  AUTO_ORDER,
  type BackendRequest,
  type BackendName,
  type BackendLoader,
  type BackendSelection,
  type SelectOptions,
} from './select-backend.ts';
