// Lint rules that keep the layers honest. Each project runs `eslint .` from its own folder
// and ESLint finds this file by walking up.
import nx from '@nx/eslint-plugin';
import prettier from 'eslint-config-prettier';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

const TF = ['@tensorflow/*'];

// The binary's program lists the apps' commands through their `commands` entry points.
const ALLOW = ['@lesionseg/trainer/commands', '@lesionseg/evaluator/commands', '@lesionseg/compare/commands'];

// The dependency layers of lesionseg (see README "Layout").
const LAYERS = [
  // events is the contracts kernel: nothing of ours, no compute, no file formats.
  { sourceTag: 'type:events', onlyDependOnLibsWithTags: [], bannedExternalImports: [...TF, 'nifti-reader-js'] },
  // config is the config-validation kit (option schemas, plugin registry) and the training
  // timer/durations: on top of events only, below everything else, no compute.
  { sourceTag: 'type:config', onlyDependOnLibsWithTags: ['type:events'], bannedExternalImports: [...TF, 'nifti-reader-js'] },
  // data and metrics run where TensorFlow is absent (the evaluator's scoring path).
  { sourceTag: 'type:data', onlyDependOnLibsWithTags: ['type:events', 'type:config'], bannedExternalImports: TF },
  { sourceTag: 'type:metrics', onlyDependOnLibsWithTags: ['type:events', 'type:config', 'type:data'], bannedExternalImports: TF },
  // report renders figures, tables and HTML from run folders and metrics: no TensorFlow.
  { sourceTag: 'type:report', onlyDependOnLibsWithTags: ['type:events', 'type:config', 'type:data', 'type:metrics'], bannedExternalImports: TF },
  { sourceTag: 'type:models', onlyDependOnLibsWithTags: ['type:events', 'type:config', 'type:data'] },
  { sourceTag: 'type:strategies', onlyDependOnLibsWithTags: ['type:events', 'type:config', 'type:data', 'type:models'] },
  // cli is the command kit (option specs, help, exit policy, progress): events only, no compute.
  { sourceTag: 'type:cli', onlyDependOnLibsWithTags: ['type:events'], bannedExternalImports: [...TF, 'nifti-reader-js'] },
  { sourceTag: 'type:tools', onlyDependOnLibsWithTags: ['type:events', 'type:config', 'type:data', 'type:models', 'type:metrics', 'type:report'] },
  // executors run commands as tasks (child processes, Slurm arrays): only data's atomic writes.
  { sourceTag: 'type:executors', onlyDependOnLibsWithTags: ['type:data'], bannedExternalImports: TF },
  {
    sourceTag: 'type:app',
    onlyDependOnLibsWithTags: [
      'type:events',
      'type:config',
      'type:cli',
      'type:data',
      'type:models',
      'type:strategies',
      'type:metrics',
      'type:report',
      'type:executors',
    ],
  },
  // apps/compare drives both apps: it spawns them as tasks and reuses the trainer's presets
  // through the trainer's barrel (the one app-to-app import besides the binary's).
  { sourceTag: 'type:driver', onlyDependOnLibsWithTags: ['type:events', 'type:config', 'type:cli', 'type:data', 'type:report', 'type:executors', 'type:app'] },
  // the `lesionseg` binary: one program over both apps' commands (see allow above).
  { sourceTag: 'type:bin', onlyDependOnLibsWithTags: ['type:events', 'type:config', 'type:cli', 'type:data', 'type:models', 'type:app', 'type:driver'] },
];

// Rooms inside the apps: which folder of an app's src/ must not import which (README "Layout").
// A new room or a new app adds its lines here; each zone holds for every file under `target`.
const room = (app, target, from, message) => ({ target: `apps/${app}/src/${target}`, from: from.map((f) => `apps/${app}/src/${f}`), message });
const appRooms = [
  {
    target: 'apps/trainer/src/core',
    from: 'apps/trainer/src',
    except: ['./core'],
    message: 'core/ is the loop and the interfaces it calls: it imports no other room of the trainer (adapters/ implement it, di/ wires it).',
  },
  room(
    'trainer',
    'adapters',
    ['di', 'cli', 'report', 'process', 'loggers'],
    'adapters/ implement core interfaces with the libraries; di/ composes them, not the other way round.',
  ),
  room('trainer', 'loggers', ['adapters', 'di', 'cli', 'report', 'process'], 'loggers/ are bus observers: they know events, not how the run is wired.'),
  room('trainer', 'di', ['cli', 'report', 'process'], 'di/ builds the container from config; the command line and the process sit above it.'),
  room('evaluator', 'predict', ['evaluate', 'export'], 'predict/ is a building block of evaluate/ and export/, never the reverse.'),
  room('evaluator', 'score', ['evaluate', 'export'], 'score/ is a building block of evaluate/ and export/, never the reverse.'),
  {
    target: 'apps/*/src/**',
    from: ['apps/*/src/main.ts', 'apps/*/src/*-main.ts'],
    message: 'An entry point binds a command to the process; import what it calls instead.',
  },
];

export default [
  { ignores: ['**/node_modules/**', '**/dist/**', '**/.nx/**', '**/fixtures/**', 'libs/models/assembly/**', 'eslint.config.mjs', 'tools/ci/**'] },
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // The dependency layers of lesionseg (see README "Layout"). An import across a layer
      // that is not listed here fails `npm test`.
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          // The binary's program lists the apps' commands through their `commands` entry points.
          allow: ALLOW,
          depConstraints: LAYERS,
        },
      ],
      // mitt ignores returned promises: an async observer must go through safeObserver.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      // Silent callbacks (`log: () => {}`) are deliberate in tests and options.
      '@typescript-eslint/no-empty-function': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Small files with one job. A file that must be longer starts with
      // `/* eslint-disable max-lines -- <why it is one unit> */`.
      'max-lines': ['error', { max: 400, skipBlankLines: true, skipComments: true }],
    },
  },
  {
    // Import cycles inside a project (between projects, Nx's rule above already forbids them).
    files: ['**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/extensions': ['.ts', '.mjs', '.js'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.mjs', '.js', '.json'] })],
    },
    rules: {
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      // Rooms inside the apps (tools/lint/app-rooms.mjs: which folder may import which).
      'import-x/no-restricted-paths': ['error', { basePath: import.meta.dirname, zones: appRooms }],
    },
  },
  {
    // One place for tests: <project>/test/ (README "Layout"). vitest.preset.ts only collects
    // test/**/*.test.ts, so a test under src/ would silently never run.
    files: ['**/src/**/*.test.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        { selector: 'Program', message: 'Tests live in <project>/test/ (README "Layout"); move this file there, mirroring its src/ folder.' },
      ],
    },
  },
  {
    // A project's vitest.config.ts re-exports the shared preset from the repository root.
    files: ['**/vitest.config.ts'],
    rules: { '@nx/enforce-module-boundaries': 'off' },
  },
  {
    // Only apps build a DI container: libraries may use inversify's *types* (to resolve from a
    // container handed to them) but never construct one.
    files: ['libs/**/*.ts'],
    ignores: ['**/*.test.ts', 'libs/*/test/**'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'inversify',
              allowTypeImports: true,
              message: 'Only apps/* build a DI container; libraries import inversify types only (import type).',
            },
          ],
        },
      ],
    },
  },
  {
    // apps/compare drives the trainer and may import its barrel (Nx refuses imports of apps
    // unless allowed): the one app-to-app import besides the binary's.
    files: ['apps/compare/**/*.ts'],
    ignores: ['**/vitest.config.ts'],
    rules: {
      '@nx/enforce-module-boundaries': ['error', { enforceBuildableLibDependency: false, allow: [...ALLOW, '@lesionseg/trainer'], depConstraints: LAYERS }],
    },
  },
  // Last: turn off every stylistic rule that would fight Prettier (Prettier owns formatting).
  prettier,
];
