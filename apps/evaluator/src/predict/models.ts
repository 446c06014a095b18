import { ensembleWindows, loadEnsemble, ReplicaPool, type Ensemble, type WindowPredict } from '@lesionseg/models';
import type { InferenceCliOptions } from './args.ts';

/** Load every --checkpoint with the weights the options ask for (EMA unless --raw, as validation used). */
export function openEnsemble(opts: InferenceCliOptions, log: (line: string) => void): Promise<Ensemble> {
  return loadEnsemble(opts.checkpoints, { backend: opts.backend, useEma: opts.raw ? false : undefined, log });
}

/**
 * Run `fn` with the window predictor the options call for: undefined (the plain sliding-window
 * path on this thread) for one checkpoint without TTA and workers; otherwise the members'
 * probabilities averaged, each with flip TTA when asked, and, with `--workers N`, every model's
 * windows shared with N worker-thread replicas (one pool: members are sent their weights per
 * batch). The pool is always terminated, also on failure.
 */
export async function withWindowPredictor<T>(
  ensemble: Ensemble,
  opts: Pick<InferenceCliOptions, 'workers' | 'tta'>,
  log: (line: string) => void,
  fn: (predictWindows: WindowPredict | undefined) => Promise<T>,
): Promise<T> {
  const { primary, members } = ensemble;
  if (members.length > 1) log(`ensemble of ${members.length} checkpoints: probabilities averaged`);
  if (opts.tta) log('test-time augmentation: 8 flips per window (z, y, x and their combinations), probabilities averaged');
  if (opts.workers === 0) return fn(members.length === 1 && !opts.tta ? undefined : ensembleWindows(members, { tta: opts.tta }));
  if (primary.backend !== 'wasm' && primary.backend !== 'cpu') {
    throw new Error(`--workers needs the wasm or cpu backend (worker replicas run on those), but the backend is ${primary.backend}`);
  }
  const pool = await ReplicaPool.create(primary.model, { workers: opts.workers, backend: primary.backend });
  log(`windows split between the main thread and ${opts.workers} worker thread(s)`);
  try {
    return await fn(ensembleWindows(members, { tta: opts.tta, run: (model, b) => pool.predictPatches(model, b) }));
  } finally {
    await pool.dispose();
  }
}
