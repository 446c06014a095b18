import { createRng, shuffled } from '../random.ts';

/** A train/validation split by patient. */
export interface Split {
  seed: number;
  validationFraction: number;
  train: string[];
  validation: string[];
}

/**
 * Seeded, reproducible split by patient id. Ids are sorted first, so the split depends on the
 * set of patients and the seed, not on listing order. With `strata` (id -> label, e.g.
 * "lesions"/"none"), each label is split separately so that both sets get patients with and
 * without new lesions. At least one validation patient when there are two or more patients.
 */
export function splitPatients(ids: readonly string[], options: { seed: number; validationFraction?: number; strata?: Record<string, string> }): Split {
  const fraction = options.validationFraction ?? 0.2;
  if (!(fraction >= 0 && fraction < 1)) throw new Error(`splitPatients: validationFraction must be in [0, 1), got ${fraction}`);
  if (new Set(ids).size !== ids.length) throw new Error('splitPatients: duplicate patient ids');
  const rng = createRng(options.seed);
  const groups = new Map<string, string[]>();
  for (const id of [...ids].sort()) {
    const label = options.strata?.[id] ?? '';
    const group = groups.get(label) ?? [];
    group.push(id);
    groups.set(label, group);
  }
  const members = (label: string): string[] => groups.get(label) ?? [];
  const total = Math.max(ids.length >= 2 && fraction > 0 ? 1 : 0, Math.round(ids.length * fraction));
  const validation: string[] = [];
  const train: string[] = [];
  // Largest remainder allocation of `total` across strata, in sorted label order.
  const labels = [...groups.keys()].sort();
  const quotas = labels.map((l) => (members(l).length * total) / ids.length);
  const counts = quotas.map(Math.floor);
  let left = total - counts.reduce((a, b) => a + b, 0);
  const order = labels.map((_, i) => i).sort((a, b) => quotas[b] - Math.floor(quotas[b]) - (quotas[a] - Math.floor(quotas[a])) || a - b);
  for (const i of order) {
    if (left === 0) break;
    counts[i]++;
    left--;
  }
  labels.forEach((l, i) => {
    const picked = shuffled(rng, members(l));
    validation.push(...picked.slice(0, counts[i]));
    train.push(...picked.slice(counts[i]));
  });
  return { seed: options.seed, validationFraction: fraction, train: train.sort(), validation: validation.sort() };
}
