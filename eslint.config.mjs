// Lint rules that keep the layers honest. Each project runs `eslint .` from its own folder
// and ESLint finds this file by walking up.
import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

const TF = ['@tensorflow/*'];

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
          allow: [],
          depConstraints: [
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
            { sourceTag: 'type:tools', onlyDependOnLibsWithTags: ['type:events', 'type:config', 'type:data', 'type:models', 'type:metrics', 'type:report'] },
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:events', 'type:config', 'type:data', 'type:models', 'type:strategies', 'type:metrics', 'type:report'] },
          ],
        },
      ],
      // mitt ignores returned promises: an async observer must go through safeObserver.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      // Silent callbacks (`log: () => {}`) are deliberate in tests and options.
      '@typescript-eslint/no-empty-function': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
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
];
