import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { sha256File, toolProvenance, type ToolProvenance } from '@lesionseg/data';
import type { Ensemble } from '@lesionseg/models';
import type { InferenceCliOptions } from './args.ts';

/** How predictions were made: written to evaluation.json / results.json and, shortened, to each NIfTI's descrip. */
export interface PredictionProvenance {
  tool: ToolProvenance;
  date: string;
  backend: string;
  /** Every checkpoint folder read, which weights, and the SHA-256 of those weights' file. */
  checkpoints: { path: string; weights: 'ema' | 'raw'; weightsFile: string; sha256: string }[];
  tta: boolean;
  threshold: number;
  weighting: 'average' | 'gaussian';
  postprocess: string;
  /**
   * What identifies the prediction settings, as written in the NIfTI descrip: e.g.
   * "ema:1a2b3c4d t0.5 tta" (checkpoint weights' checksum prefix, threshold, flags). predict --data
   * skips a patient only when its files carry the same key.
   */
  key: string;
}

export async function predictionProvenance(
  ensemble: Ensemble,
  opts: Pick<InferenceCliOptions, 'tta' | 'threshold' | 'weighting' | 'postprocess' | 'minLesionMm3'>,
): Promise<PredictionProvenance> {
  const checkpoints = await Promise.all(
    ensemble.members.map(async (m) => {
      const weightsFile = join(m.checkpointDir, m.weights === 'ema' ? 'ema.weights.bin' : 'model.weights.bin');
      return { path: m.checkpointDir, weights: m.weights, weightsFile, sha256: await sha256File(weightsFile) };
    }),
  );
  const model =
    checkpoints.length === 1
      ? `${checkpoints[0].weights}:${checkpoints[0].sha256.slice(0, 8)}`
      : `ens${checkpoints.length}:${createHash('sha256')
          .update(checkpoints.map((c) => c.sha256).join(','))
          .digest('hex')
          .slice(0, 8)}`;
  const flags = [
    opts.tta ? 'tta' : '',
    opts.weighting === 'gaussian' ? 'gauss' : '',
    opts.postprocess === 'none' ? '' : `${opts.postprocess}${opts.minLesionMm3}`,
  ].filter(Boolean);
  return {
    tool: toolProvenance(),
    date: new Date().toISOString(),
    backend: ensemble.primary.backend,
    checkpoints,
    tta: opts.tta,
    threshold: opts.threshold,
    weighting: opts.weighting,
    postprocess: opts.postprocess,
    key: [model, `t${opts.threshold}`, ...flags].join(' '),
  };
}

/** The NIfTI header's descrip (NIfTI-1 keeps 79 characters): tool, version, commit, settings key, date. */
export function niftiDescrip(p: PredictionProvenance): string {
  const commit = p.tool.commit === 'unknown' ? 'nogit' : `${p.tool.commit.slice(0, 7)}${p.tool.commit.endsWith('+dirty') ? '+' : ''}`;
  const full = `lesionseg ${p.tool.version} ${commit} ${p.key} ${p.date.slice(0, 10)}`;
  // Without the date before cutting the key: a cut key only makes predict redo a patient.
  return full.length <= 79 ? full : `lesionseg ${p.tool.version} ${commit} ${p.key}`.slice(0, 79);
}
