import { predictPatches } from '../train/train-step.ts';
import { loadPredictor, PredictorError, type LoadPredictorOptions, type Predictor } from './predictor.ts';
import { averageWindows, withFlipTta, type WindowPredict } from './tta.ts';

/** Several checkpoints loaded for one prediction: they must agree on how inputs are preprocessed. */
export interface Ensemble {
  /** The first checkpoint: its preprocessing (shared by all) and network drive the sliding windows. */
  primary: Predictor;
  members: Predictor[];
  dispose(): void;
}

/**
 * Load every checkpoint with the same options (backend chosen once). Different working spacing,
 * window or stride would make the averaged windows mean different things: refused, naming both.
 */
export async function loadEnsemble(checkpoints: readonly string[], options: LoadPredictorOptions = {}): Promise<Ensemble> {
  if (checkpoints.length === 0) throw new PredictorError('no checkpoint given');
  const members: Predictor[] = [];
  try {
    for (const [k, c] of checkpoints.entries()) {
      members.push(await loadPredictor(c, k === 0 ? options : { ...options, backend: undefined }));
      const [a, b] = [members[0], members[k]];
      const pa = a.preprocessing;
      const pb = b.preprocessing;
      if (pa.spacingMm !== pb.spacingMm || pa.window !== pb.window || pa.stride !== pb.stride) {
        throw new PredictorError(
          `${b.checkpointDir}: preprocessing (spacing ${pb.spacingMm ?? 'native'}, window ${pb.window}, stride ${pb.stride}) differs from ${a.checkpointDir} ` +
            `(spacing ${pa.spacingMm ?? 'native'}, window ${pa.window}, stride ${pa.stride}); an ensemble needs the same`,
        );
      }
      if (b.model.options.inChannels !== a.model.options.inChannels)
        throw new PredictorError(`${b.checkpointDir}: ${b.model.options.inChannels} input channels, ${a.checkpointDir} has ${a.model.options.inChannels}`);
    }
  } catch (e) {
    for (const m of members) m.dispose();
    throw e;
  }
  return { primary: members[0], members, dispose: () => members.forEach((m) => m.dispose()) };
}

/**
 * The window predictor of an ensemble, with or without flip TTA: members' probabilities averaged
 * (each member's flips first averaged when `tta`). `run(model, batch)` runs one model on a batch
 * (default: on this thread; a ReplicaPool's predictPatches to use worker threads).
 */
export function ensembleWindows(
  members: readonly Pick<Predictor, 'model'>[],
  options: { tta?: boolean; run?: (model: Predictor['model'], batch: Parameters<WindowPredict>[0]) => Promise<Float32Array> } = {},
): WindowPredict {
  const run = options.run ?? ((model, batch) => predictPatches(model, batch));
  return averageWindows(
    members.map((m) => {
      const one: WindowPredict = (b) => run(m.model, b);
      return options.tta ? withFlipTta(one) : one;
    }),
  );
}
