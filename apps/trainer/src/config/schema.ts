import type { JsonSchema } from '@lesionseg/config';
import { BACKENDS, pluginsOption } from './config.ts';
import { builtinRegistries, type TrainerRegistries } from './registries.ts';
import { budgetSection, checkpointSection, dataSection, emaSection, modelSection, optimizerSection, validationSection } from './sections.ts';

/**
 * The JSON Schema of a trainer config, generated from the same definitions that validate it
 * (`--print-schema`; docs/config.schema.json is this with the built-in types only). Cross-field
 * rules (patch size vs UNet depth, batch size vs candidates) are checked by parseConfig only.
 */
export function configJsonSchema(registries: TrainerRegistries = builtinRegistries()): JsonSchema {
  const entries = (items: JsonSchema): JsonSchema => ({ type: 'array', items });
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title: 'lesionseg trainer config',
    type: 'object',
    properties: {
      name: { type: 'string', default: 'custom', description: 'name of the preset or config (informational)' },
      seed: { type: 'integer', minimum: 0, default: 1, description: 'seed of every random choice' },
      backend: { type: 'string', enum: [...BACKENDS], default: 'auto' },
      budget: budgetSection.jsonSchema(),
      data: dataSection.jsonSchema(),
      model: modelSection.jsonSchema(),
      loss: registries.loss.jsonSchema(),
      optimizer: optimizerSection.jsonSchema(),
      lrSchedule: registries.lrSchedule.jsonSchema(),
      ema: emaSection.jsonSchema(),
      strategy: registries.strategy.jsonSchema(),
      validation: { anyOf: [validationSection.jsonSchema(), { type: 'null' }] },
      checkpoint: checkpointSection.jsonSchema(),
      loggers: entries(registries.logger.jsonSchema()),
      hooks: entries(registries.hook.jsonSchema()),
      plugins: { ...pluginsOption.schema, description: 'plugin modules (.ts/.js), relative to the config file' },
    },
    required: ['budget', 'ema', 'strategy'],
    additionalProperties: false,
  };
}
