// Post-processors are registry plugins like the trainer's: --plugin FILE adds a module's
// postProcessors to the names --postprocess accepts; a clash with a built-in is refused.
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Volume } from '@lesionseg/data';
import { createEvaluatorContainer, loadPostProcessors, postProcessorNames, resolvePostProcessor } from '../src/container.ts';
import { parsePredictArgs } from '../src/predict/args.ts';

const PLUGIN = `export const postProcessors = [
  {
    type: 'erase-all',
    summary: 'an empty mask (a test plugin)',
    options: {},
    create: () => ({
      name: 'erase-all',
      describe: () => 'erase every lesion',
      apply: (mask: { data: Float32Array }) => {
        const removedVoxels = mask.data.reduce((a, v) => a + v, 0);
        return { mask: { ...mask, data: new Float32Array(mask.data.length) }, removedComponents: removedVoxels > 0 ? 1 : 0, removedVoxels };
      },
    }),
  },
];
`;

describe('post-processor plugins', () => {
  it('--plugin FILE (relative to the user folder) adds a post-processor that --postprocess builds', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'lesionseg-pp-'));
    writeFileSync(path.join(dir, 'erase.ts'), PLUGIN);
    const opts = parsePredictArgs(
      ['--checkpoint', 'run', '--flair1', 'a.nii.gz', '--flair2', 'b.nii.gz', '--out', 'o.nii.gz', '--postprocess', 'erase-all', '--plugin', 'erase.ts'],
      dir,
    );
    if (opts === 'help') throw new Error('unexpected help');
    expect(opts.plugins).toEqual([path.join(dir, 'erase.ts')]);
    const c = createEvaluatorContainer({ minLesionMm3: 5, postProcessors: await loadPostProcessors(opts.plugins, dir) });
    expect(postProcessorNames(c)).toEqual(['none', 'drop-small', 'erase-all']);
    const mask: Volume = {
      shape: [2, 1, 1],
      spacing: [1, 1, 1],
      affine: [
        [1, 0, 0, 0],
        [0, 1, 0, 0],
        [0, 0, 1, 0],
        [0, 0, 0, 1],
      ],
      data: Float32Array.from([1, 1]),
    };
    const r = resolvePostProcessor(c, opts.postprocess).apply(mask);
    expect(Array.from(r.mask.data)).toEqual([0, 0]);
    expect(r.removedVoxels).toBe(2);
    // the built-in drop-small still gets --min-lesion-mm3
    expect(resolvePostProcessor(c, 'drop-small').describe()).toBe('drop predicted 6-connected components of 5 mm3 or less');
  });

  it('a module redefining a built-in post-processor is refused, naming it', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'lesionseg-pp-'));
    writeFileSync(path.join(dir, 'none.ts'), `export const postProcessors = [{ type: 'none', create: () => ({}) }];\n`);
    await expect(loadPostProcessors(['none.ts'], dir)).rejects.toThrow(
      `plugin ${path.join(dir, 'none.ts')}: postProcessor "none" clashes with the built-in postProcessor of that name`,
    );
  });
});
