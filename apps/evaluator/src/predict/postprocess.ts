import { definePlugin, num, PluginRegistry } from '@lesionseg/config';
import type { Volume } from '@lesionseg/data';
import { extractRuns, labelComponents, minLesionVoxels, voxelVolumeMm3 } from '@lesionseg/metrics';

/** A clean-up step applied to a predicted 0/1 mask on the input's own grid. */
export interface PostProcessor {
  /** The name users choose it by (`--postprocess NAME`). */
  readonly name: string;
  /** One line for logs and results: what it did. */
  describe(): string;
  /** A new mask (the input is left untouched) and what was removed. */
  apply(mask: Volume): { mask: Volume; removedComponents: number; removedVoxels: number };
}

/** The paper's setting: the thresholded prediction as it is. */
export class NoPostProcessing implements PostProcessor {
  readonly name = 'none';
  describe(): string {
    return 'no post-processing';
  }
  apply(mask: Volume): { mask: Volume; removedComponents: number; removedVoxels: number } {
    return { mask, removedComponents: 0, removedVoxels: 0 };
  }
}

/**
 * Remove predicted 6-connected components of `minLesionMm3` or less: the lesions the official
 * MSSEG-2 metrics ignore anyway (kept iff voxels >= floor(3 mm3 / v) + 1, the same rule and the
 * same labelling code as the scorer, so what is dropped here is exactly what scoring ignores).
 */
export class DropSmallComponents implements PostProcessor {
  readonly name = 'drop-small';
  constructor(readonly minLesionMm3 = 3) {
    if (!(minLesionMm3 >= 0 && Number.isFinite(minLesionMm3))) throw new Error(`drop-small: --min-lesion-mm3 must be a number >= 0, got ${minLesionMm3}`);
  }
  describe(): string {
    return `drop predicted 6-connected components of ${this.minLesionMm3} mm3 or less`;
  }
  apply(mask: Volume): { mask: Volume; removedComponents: number; removedVoxels: number } {
    const runs = extractRuns(mask.data, mask.shape);
    const comps = labelComponents(runs);
    const minVoxels = minLesionVoxels(this.minLesionMm3, voxelVolumeMm3(mask.spacing));
    const data = new Float32Array(mask.data.length);
    const X = mask.shape[0];
    let removedComponents = 0;
    let removedVoxels = 0;
    for (let c = 0; c < comps.count; c++) {
      if (comps.size[c] < minVoxels) {
        removedComponents++;
        removedVoxels += comps.size[c];
      }
    }
    // Rebuild from the runs of kept components: run k of row r covers x in [start, end).
    let row = 0;
    for (let k = 0; k < runs.count; k++) {
      while (runs.rowStart[row + 1] <= k) row++;
      if (comps.size[comps.runComponent[k]] < minVoxels) continue;
      data.fill(1, runs.start[k] + X * row, runs.end[k] + X * row);
    }
    return { mask: { ...mask, data }, removedComponents, removedVoxels };
  }
}

export const noPostProcessingDefinition = definePlugin({
  type: 'none',
  summary: 'the thresholded prediction as it is (the paper)',
  options: {},
  create: (): PostProcessor => new NoPostProcessing(),
});

export const dropSmallDefinition = definePlugin({
  type: 'drop-small',
  summary: 'remove predicted 6-connected components of minLesionMm3 or less (those the MSSEG-2 metrics ignore)',
  options: { minLesionMm3: num({ default: 3, min: 0 }) },
  create: (o): PostProcessor => new DropSmallComponents(o.minLesionMm3),
});

/** The post-processors `--postprocess NAME` picks from; a plugin module's `postProcessors` are registered into it. */
export function builtinPostProcessors(): PluginRegistry<void, PostProcessor> {
  return new PluginRegistry<void, PostProcessor>('post-processing').register(noPostProcessingDefinition).register(dropSmallDefinition);
}
