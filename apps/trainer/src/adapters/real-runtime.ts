import { basename } from 'node:path';
import * as models from '@lesionseg/models';
import { createRng, type PreprocessedPatient } from '@lesionseg/data';
import type { Runtime } from '../runtime.ts';
import type { RuntimeRequest } from '../train.ts';
import type { DataOptions, EmaOptions, LossOptions, ModelOptions, OptimizerOptions, ValidationOptions } from '../config/sections.ts';
import { indexDataset, preparePatient, splitDataset, type DatasetIndex } from './dataset.ts';
import { DataPatchSource } from './patch-source.ts';
import { DiceValidator } from './dice-validator.ts';
import { UNetTraining } from './unet-runtime.ts';

/** The models library's fast wasm kernels, under the name it exports them with. */
function fastWasmKernels(): (() => void) | null {
  const exports = models as Record<string, unknown>;
  for (const name of ['registerFastWasmKernels', 'registerFastWasmConv3d']) {
    if (typeof exports[name] === 'function') return exports[name] as () => void;
  }
  return null;
}

async function loadAll(index: DatasetIndex, ids: readonly string[], spacingMm: number | null, log: (t: string) => void, what: string): Promise<PreprocessedPatient[]> {
  const out: PreprocessedPatient[] = [];
  for (const id of ids) {
    out.push(await preparePatient(index, id, spacingMm));
    log(`loaded ${what} patient ${id} (${out.length}/${ids.length})`);
  }
  return out;
}

/**
 * The real runtime: backend selection, the dataset split and preprocessing (@lesionseg/data),
 * and UNet + Adam + EMA (@lesionseg/models) behind the loop's plugin interfaces.
 */
export async function createRealRuntime(
  request: RuntimeRequest,
  log: (t: string) => void = (t) => console.error(t),
  registerWasmKernels: (() => void) | null = fastWasmKernels(),
): Promise<Runtime> {
  const { config, dataDir } = request;
  const selection = await models.selectBackend(models.parseBackendRequest(config.backend), { log });
  if (selection.name === 'wasm') {
    // The stock wasm Conv3D input gradient is wrong; the models lib re-registers fast, correct kernels.
    if (!registerWasmKernels) throw new Error("the wasm backend cannot train this model without the models library's fast Conv3D kernels; use --backend cpu");
    registerWasmKernels();
  }

  const data = config.data.options as unknown as DataOptions;
  const index = await indexDataset(dataDir);
  const split = request.split ?? (await splitDataset(index, data.validationFraction, config.seed));
  const held = `${index.ids.length} patient(s) in ${dataDir}, data.validationFraction ${data.validationFraction}`;
  if (split.train.length === 0) throw new Error(`no training patient: ${held} puts every patient in validation; lower validationFraction or add patients`);
  const validation = config.validation?.options as unknown as ValidationOptions | undefined;
  const valIds = validation?.maxPatients != null ? split.validation.slice(0, validation.maxPatients) : split.validation;
  const train = await loadAll(index, split.train, data.spacingMm, log, 'training');
  const val = validation ? await loadAll(index, valIds, data.spacingMm, log, 'validation') : [];

  const training = new UNetTraining(
    config.model.options as unknown as ModelOptions,
    config.optimizer.options as unknown as OptimizerOptions,
    { type: config.loss.type, ...config.loss.options } as LossOptions,
    (config.ema.options as unknown as EmaOptions).decay,
    config.seed,
    (config.model.options as unknown as ModelOptions).microBatch,
    (config.lrSchedule.options as { initialLr: number }).initialLr,
    { spacingMm: data.spacingMm, patchSize: data.patchSize, stride: validation?.stride ?? null, validationModel: validation?.model ?? null },
  );
  training.modelCard = (dir, state) => ({
    name: config.name,
    kind: basename(dir),
    preprocessing: { spacingMm: data.spacingMm, patchSize: data.patchSize, stride: validation?.stride ?? null },
    threshold: validation?.threshold ?? 0.5,
    training: { data: dataDir, trainPatients: split.train, validationPatients: valIds, strategy: `${config.strategy.type} ${JSON.stringify(config.strategy.options)}`, iteration: state.iteration, trainingSeconds: state.elapsedMs / 1000, seed: config.seed },
    validation: { model: validation?.model ?? null, bestDice: state.bestDice, lastIteration: state.lastValidationIteration },
  });
  const workers = (config.model.options as unknown as ModelOptions).workers;
  if (workers > 0 && selection.name !== 'wasm' && selection.name !== 'cpu') {
    // Replicas are CPU worker threads; next to a GPU (or TensorFlow's own threads) they would only slow the step.
    log(`model.workers ${workers} ignored: worker replicas run on the wasm/cpu backends, this run is on ${selection.name}`);
  } else if (workers > 0) {
    await training.startReplicas(workers, selection.name === 'cpu' ? 'cpu' : 'wasm');
    log(`training on the main thread and ${workers} worker replica(s)`);
  }
  let validator: DiceValidator | null = null;
  if (validation && val.length > 0) {
    validator = new DiceValidator(val, () => (validation.model === 'ema' ? training.ema.model : training.model), validation.model, {
      window: data.patchSize,
      stride: validation.stride ?? Math.max(1, Math.round(data.patchSize * 0.75)),
      threshold: validation.threshold,
      predict: training.predictWith(() => (validation.model === 'ema' ? training.ema.model : training.model)),
    });
  } else if (validation) {
    log(
      data.validationFraction === 0
        ? 'validation is configured but data.validationFraction is 0: no validation'
        : `validation is configured but no patient is held out (${held} rounds to none): no validation`,
    );
  }
  return {
    backend: selection.name,
    random: createRng(config.seed),
    source: new DataPatchSource(train, data.patchSize),
    trainable: training,
    ema: training,
    emaScorer: training.scorer,
    store: training,
    validator,
    split,
    dispose: () => training.dispose(),
  };
}
