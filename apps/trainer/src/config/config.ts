import { BACKEND_NAMES } from '@lesionseg/models';
import type { Budget } from '@lesionseg/events';
import {
  builtinLrSchedules,
  builtinStrategies,
  ConfigError,
  entryToJson,
  isPlainObject,
  num,
  parseDuration,
  str,
  type PluginEntry,
  type PluginRegistry,
} from '@lesionseg/strategies';
import type { DataOptions, ModelOptions } from './sections.ts';
import {
  budgetSection,
  checkpointSection,
  dataSection,
  emaSection,
  loggerSection,
  lossSection,
  modelSection,
  optimizerSection,
  validationSection,
} from './sections.ts';

/** The models library's backend names (auto, tensorflow-gpu, webgpu, tensorflow, wasm, cpu). */
export const BACKENDS = BACKEND_NAMES;
export type BackendName = (typeof BACKENDS)[number];

/**
 * A run's config: every plugin is an entry `{ "type": ..., ...options }`. Validated completely
 * before anything else happens; the resolved version (defaults filled in) is written to
 * RUN_DIR/config.json and is what --resume reads back.
 */
export interface TrainerConfig {
  /** Name of the preset it came from, or the config file. Informational. */
  name: string;
  seed: number;
  backend: BackendName;
  budget: PluginEntry;
  data: PluginEntry;
  model: PluginEntry;
  loss: PluginEntry;
  optimizer: PluginEntry;
  lrSchedule: PluginEntry;
  ema: PluginEntry;
  strategy: PluginEntry;
  /** null: no validation (e.g. the paper's final model, trained on every patient). */
  validation: PluginEntry | null;
  checkpoint: PluginEntry;
  loggers: PluginEntry[];
}

const SECTIONS = ['name', 'seed', 'backend', 'budget', 'data', 'model', 'loss', 'optimizer', 'lrSchedule', 'ema', 'strategy', 'validation', 'checkpoint', 'loggers'] as const;

/**
 * Validates a raw config object. `strategies` may be a registry with extra strategies (a
 * plugin added by a user); by default the built-in ones. Errors name the config path.
 */
export function parseConfig(raw: unknown, strategies: PluginRegistry<unknown, unknown> = builtinStrategies() as PluginRegistry<unknown, unknown>): TrainerConfig {
  if (!isPlainObject(raw)) throw new ConfigError('(config)', 'must be a JSON object');
  for (const key of Object.keys(raw)) {
    if (!(SECTIONS as readonly string[]).includes(key)) {
      throw new ConfigError(key, `unknown config key "${key}" (known: ${SECTIONS.join(', ')})`);
    }
  }
  const required = (key: string): unknown => {
    if (raw[key] === undefined) throw new ConfigError(key, 'is required');
    return raw[key];
  };
  const loggersRaw = raw['loggers'] ?? [{ type: 'progress' }, { type: 'jsonl' }];
  if (!Array.isArray(loggersRaw)) throw new ConfigError('loggers', 'must be a list of { "type": ... } entries');
  const config: TrainerConfig = {
    name: str({ default: 'custom' })(raw['name'], 'name'),
    seed: num({ default: 1, integer: true, min: 0 })(raw['seed'], 'seed'),
    backend: str<BackendName>({ default: 'auto', oneOf: BACKENDS })(raw['backend'], 'backend'),
    budget: budgetSection.parse(required('budget'), 'budget'),
    data: dataSection.parse(raw['data'] ?? { type: 'msseg2' }, 'data'),
    model: modelSection.parse(raw['model'] ?? { type: 'unet' }, 'model'),
    loss: lossSection.parse(raw['loss'] ?? { type: 'bce' }, 'loss'),
    optimizer: optimizerSection.parse(raw['optimizer'] ?? { type: 'adam' }, 'optimizer'),
    lrSchedule: builtinLrSchedules().parse(raw['lrSchedule'] ?? { type: 'step' }, 'lrSchedule'),
    ema: emaSection.parse(required('ema'), 'ema'),
    strategy: strategies.parse(required('strategy'), 'strategy'),
    validation: raw['validation'] === null ? null : validationSection.parse(raw['validation'] ?? { type: 'dice', everySeconds: 300 }, 'validation'),
    checkpoint: checkpointSection.parse(raw['checkpoint'] ?? { type: 'interval', everySeconds: 600 }, 'checkpoint'),
    loggers: loggersRaw.map((l, i) => loggerSection.parse(l, `loggers[${i}]`)),
  };
  if (config.budget.type === 'time') parseBudget(config); // fail early on "3 hours"
  crossCheck(config);
  const v = config.validation?.options as { everySeconds: number | null; everyIterations: number | null } | undefined;
  if (v && v.everySeconds === null && v.everyIterations === null) {
    throw new ConfigError('validation', 'set everySeconds or everyIterations (or "validation": null for none)');
  }
  return config;
}

/**
 * Combinations that each pass their own check but fail once training starts (a stack trace
 * minutes in, and a --resume that fails the same way): caught here, before anything runs.
 */
function crossCheck(config: TrainerConfig): void {
  const data = config.data.options as unknown as DataOptions;
  const model = config.model.options as unknown as ModelOptions;
  const poolings = model.widths.length - 1;
  const divisor = 2 ** poolings;
  if (data.patchSize % divisor !== 0) {
    const lower = Math.max(divisor, data.patchSize - (data.patchSize % divisor));
    throw new ConfigError(
      'data.patchSize',
      `${data.patchSize} does not suit a UNet with ${model.widths.length} levels (model.widths ${JSON.stringify(model.widths)}): ` +
        `the patch side must be a multiple of ${divisor} (${poolings} poolings), e.g. ${lower} or ${lower + divisor}`,
    );
  }
  const s = config.strategy.options as { candidates?: unknown; batchSize?: unknown };
  if (typeof s.candidates === 'number' && typeof s.batchSize === 'number' && s.batchSize > s.candidates) {
    throw new ConfigError('strategy.batchSize', `${s.batchSize} cannot exceed strategy.candidates (${s.candidates}): the batch is chosen among the candidates`);
  }
}

export function parseBudget(config: TrainerConfig): Budget {
  const o = config.budget.options as { duration?: string; iterations?: number };
  if (config.budget.type === 'time') {
    try {
      return { kind: 'time', ms: parseDuration(String(o.duration)) };
    } catch (e) {
      throw new ConfigError('budget.duration', (e as Error).message);
    }
  }
  return { kind: 'iterations', iterations: Number(o.iterations) };
}

/** The resolved config as JSON (for RUN_DIR/config.json): every entry with its defaults. */
export function configToJson(config: TrainerConfig): Record<string, unknown> {
  return {
    name: config.name,
    seed: config.seed,
    backend: config.backend,
    budget: entryToJson(config.budget),
    data: entryToJson(config.data),
    model: entryToJson(config.model),
    loss: entryToJson(config.loss),
    optimizer: entryToJson(config.optimizer),
    lrSchedule: entryToJson(config.lrSchedule),
    ema: entryToJson(config.ema),
    strategy: entryToJson(config.strategy),
    validation: config.validation ? entryToJson(config.validation) : null,
    checkpoint: entryToJson(config.checkpoint),
    loggers: config.loggers.map(entryToJson),
  };
}
