// The shared preset (vitest.preset.ts at the repository root).
export { default } from '../../vitest.preset.ts';
