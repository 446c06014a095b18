/**
 * The configs a comparison trains. Every configuration shares everything but what the paper
 * varies: the sampling strategy, the EMA decay and which model validation uses.
 */
import { presetConfig } from '@lesionseg/trainer';
import type { Scale } from './compare-args.ts';

type Json = Record<string, unknown>;

/** OHEM's candidates per trained patch in the paper: 128 scored for 32 trained. */
const OHEM_CANDIDATES_PER_PATCH = 4;

export function comparisonConfig(preset: string, scale: Scale): Json {
  const paper = presetConfig(preset);
  if (scale === 'paper') return paper;
  const base = presetConfig('quick');
  const batchSize = Number((base.strategy as Json).batchSize);
  const strategy: Json = { ...(paper.strategy as Json), batchSize };
  if (strategy.type === 'ohem') strategy.candidates = OHEM_CANDIDATES_PER_PATCH * batchSize;
  return {
    ...base,
    name: preset,
    strategy,
    ema: paper.ema,
    validation: { ...(base.validation as Json), model: (paper.validation as Json).model },
  };
}
