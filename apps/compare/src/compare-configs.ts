/**
 * The configs a comparison trains. Every configuration shares everything but what the paper
 * varies: the sampling strategy, the EMA decay and which model validation uses.
 */
import { presetConfig } from '@lesionseg/trainer';
import type { Scale } from './compare-args.ts';

type Json = Record<string, unknown>;

/** OHEM's candidates per trained patch in the paper: 128 scored for 32 trained. */
const OHEM_CANDIDATES_PER_PATCH = 4;

/**
 * `base`: sections of a trainer config (a --base-config file) that replace the quick scale's
 * (network, patches, data, loss, budget, validation timing...); the configuration still sets
 * the sampling strategy, its EMA and the validation model, and `strategy.batchSize` alone may
 * be given.
 */
export function comparisonConfig(preset: string, scale: Scale, base: Json = {}): Json {
  const paper = presetConfig(preset);
  if (scale === 'paper') return paper;
  const extra = Object.keys((base.strategy as Json | undefined) ?? {}).filter((k) => k !== 'batchSize');
  if (extra.length > 0 || 'ema' in base)
    throw new Error(
      `the base config may not set ${[...extra.map((k) => `strategy.${k}`), ...('ema' in base ? ['ema'] : [])].join(', ')}: each configuration sets its own`,
    );
  const quick = presetConfig('quick');
  const merged: Json = { ...quick, ...base, strategy: { ...(quick.strategy as Json), ...((base.strategy as Json | undefined) ?? {}) } };
  const batchSize = Number((merged.strategy as Json).batchSize);
  const strategy: Json = { ...(paper.strategy as Json), batchSize };
  if (strategy.type === 'ohem') strategy.candidates = OHEM_CANDIDATES_PER_PATCH * batchSize;
  const validation = merged.validation === null ? null : { ...(merged.validation as Json), model: (paper.validation as Json).model };
  return { ...merged, name: preset, strategy, ema: paper.ema, validation };
}
