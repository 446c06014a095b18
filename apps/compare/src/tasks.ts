/**
 * The tasks of a comparison: one per configuration, or per configuration x seed with --seeds,
 * each with its own run folder, and whether its training has finished (for --resume).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { runPath } from '@lesionseg/data';
import type { CompareOptions } from './compare-args.ts';
import { comparisonConfig } from './compare-configs.ts';

export interface CompareTask {
  /** The run's name: the configuration, or `<configuration>-s<seed>` with --seeds. */
  name: string;
  preset: string;
  /** The seed of --seeds (null: one run, the --seed option or the preset's own). */
  seed: number | null;
  runDir: string;
  config: Record<string, unknown>;
}

export function compareTasks(o: Pick<CompareOptions, 'presets' | 'scale' | 'seeds'>, outDir: string, base: Record<string, unknown> = {}): CompareTask[] {
  return o.presets.flatMap((preset) => {
    const config = comparisonConfig(preset, o.scale, base);
    const one = (name: string, seed: number | null): CompareTask => ({ name, preset, seed, runDir: path.join(outDir, name), config: { ...config, name } });
    return o.seeds ? o.seeds.map((seed) => one(`${preset}-s${seed}`, seed)) : [one(preset, null)];
  });
}

/** A training has finished when its events.jsonl ends with a trainEnd for its budget (not an interruption or error). */
export function trainingFinished(runDir: string): boolean {
  let text: string;
  try {
    text = readFileSync(runPath(runDir, 'events'), 'utf8');
  } catch {
    return false;
  }
  const lines = text.split('\n').filter((l) => l.includes('"trainEnd"'));
  if (lines.length === 0) return false;
  try {
    const reason = (JSON.parse(lines[lines.length - 1]) as { reason?: unknown }).reason;
    return reason === 'budget' || reason === 'iterations';
  } catch {
    return false;
  }
}
