/**
 * `predict --parts N` / `evaluate --parts N`: the N parts as tasks of one executor (local
 * processes or a Slurm array), each a `predict --part i/N` into the same output folder. A
 * patient whose outputs are complete is skipped unless --overwrite, so a part that failed, was
 * cancelled or pre-empted is finished by submitting again. Ctrl-C / SIGTERM cancels the tasks
 * (scancel of the array) before the command exits.
 */
import { join } from 'node:path';
import { UserError, type OptionValues } from '@lesionseg/cli';
import { listPatients } from '@lesionseg/data';
import { createExecutor, EXECUTOR_OPTIONS, failureReport, type Task } from '@lesionseg/executors';
import type { PartsOptions } from './parts.ts';

/** Options a part task does not get from the command: the executor's, the split, --out (given per task). */
const NOT_PASSED = new Set([...Object.keys(EXECUTOR_OPTIONS), 'part', 'parts', 'out', 'quiet', 'help']);

/** The command's parsed options back as `--name=value` arguments, without those of NOT_PASSED. */
export function partArgs(values: OptionValues): string[] {
  const args: string[] = [];
  for (const [name, v] of Object.entries(values)) {
    if (NOT_PASSED.has(name) || v === undefined || v === false) continue;
    if (v === true) args.push(`--${name}`);
    else for (const one of Array.isArray(v) ? v : [v]) args.push(`--${name}=${one}`);
  }
  return args;
}

export interface PartsRun {
  parts: PartsOptions;
  /** The dataset, read once here so that a wrong --data fails before N tasks are queued. */
  data: { path: string; requireGroundTruth: boolean };
  /** Where every part writes its masks (predict's --out, evaluate's OUT/predictions). */
  predictionsDir: string;
  /** Receives logs/predict-part-<i>.log and slurm/. */
  workDir: string;
  /** The user's folder: the tasks run there, so relative paths mean the same. */
  cwd: string;
  log: (line: string) => void;
  signal?: AbortSignal;
}

/** Runs the parts; throws naming every part that failed (with its log tail), or when interrupted. */
export async function predictInParts(values: OptionValues, o: PartsRun): Promise<void> {
  const count = o.parts.count;
  const patients = await listPatients(o.data.path, { requireGroundTruth: o.data.requireGroundTruth });
  const script = join(import.meta.dirname, '..', 'predict-main.ts');
  const rest = partArgs(values);
  const tasks: Task[] = Array.from({ length: count }, (_, i) => ({
    label: `part ${i}/${count}`,
    script,
    args: [...rest, `--out=${o.predictionsDir}`, `--part=${i}/${count}`, '--quiet'],
    logFile: join(o.workDir, 'logs', `predict-part-${i}.log`),
    cwd: o.cwd,
  }));
  const executor = createExecutor(o.parts.executor, { workDir: join(o.workDir, 'slurm'), jobName: 'lesionseg-predict', log: o.log });
  o.log(`predicting ${patients.length} patient(s) in ${count} part(s) on the ${executor.kind} executor (logs: ${join(o.workDir, 'logs')})`);
  const outcomes = await executor.runAll(tasks, (i, state) => o.log(`  part ${i}/${count}: ${state}`), { signal: o.signal });
  if (o.signal?.aborted) throw new UserError(`interrupted: the parts were stopped (complete outputs are kept; run the same command again to finish)`);
  const failures = failureReport(outcomes);
  if (failures.length > 0)
    throw new UserError(
      `${failures.length} of ${count} part(s) failed (run the same command again to finish them; complete outputs are kept):\n${failures.join('\n')}`,
    );
}
