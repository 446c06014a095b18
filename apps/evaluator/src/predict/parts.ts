/**
 * Cohort prediction in parts, as nnU-Net's `-num_parts/-part_id`: `--part I/N` keeps every N-th
 * patient of the selection in a stable order (sorted by patient id, so parts never overlap and
 * their union is the whole selection, whatever order the dataset lists them in), and
 * `--parts N` runs the N parts as tasks of an executor (run-parts.ts).
 */
import { UsageError, type OptionSpecs, type OptionValues } from '@lesionseg/cli';
import { EXECUTOR_OPTIONS, parseExecutorChoice, type ExecutorChoice } from '@lesionseg/executors';

export interface Part {
  /** 0-based, as Slurm's SLURM_ARRAY_TASK_ID. */
  index: number;
  count: number;
}

/** `--parts N`: the N parts run as tasks of an executor. */
export interface PartsOptions {
  count: number;
  executor: ExecutorChoice;
}

/** The options of prediction in parts; `evaluate` takes all but --part (it scores the whole selection). */
export const PARTS_OPTIONS: OptionSpecs = {
  part: {
    type: 'string',
    value: 'I/N',
    description:
      'with --data: only part I of N (0 <= I < N): every N-th patient in patient-id order, so parts never overlap and together are the whole selection',
  },
  parts: {
    type: 'string',
    value: 'N',
    description: 'with --data: run the N parts as tasks of --executor, all into --out (logs in OUT/logs, Slurm files in OUT/slurm)',
  },
  ...EXECUTOR_OPTIONS,
};

export function parsePart(text: string): Part {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  if (!m || Number(m[2]) < 1 || Number(m[1]) >= Number(m[2])) throw new UsageError(`--part must be I/N with 0 <= I < N (e.g. 0/4), got "${text}"`);
  return { index: Number(m[1]), count: Number(m[2]) };
}

/** Part `index` of `count`: every count-th patient in patient-id order. */
export function partOf<T extends { id: string }>(patients: readonly T[], part: Part | null): T[] {
  if (part === null) return [...patients];
  const sorted = [...patients].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return sorted.filter((_, i) => i % part.count === part.index);
}

/** The executor options: they only mean something with --parts. */
const EXECUTOR_NAMES = Object.keys(EXECUTOR_OPTIONS);

/** --part / --parts and the executor options, checked against each other. */
export function parsePartsOptions(values: OptionValues): { part: Part | null; parts: PartsOptions | null } {
  const part = typeof values.part === 'string' ? parsePart(values.part) : null;
  if (values.parts === undefined) {
    const given = EXECUTOR_NAMES.filter((n) => values[n] !== undefined);
    if (given.length > 0) throw new UsageError(`${given.map((n) => `--${n}`).join(', ')}: executor options need --parts N`);
    return { part, parts: null };
  }
  if (part !== null) throw new UsageError('give either --part I/N (one part) or --parts N (all parts as tasks), not both');
  const v = values.parts;
  if (typeof v !== 'string' || !/^[1-9]\d*$/.test(v)) throw new UsageError(`--parts needs a positive integer, got "${String(v)}"`);
  return { part: null, parts: { count: Number(v), executor: parseExecutorChoice(values, (m) => new UsageError(m)) } };
}
