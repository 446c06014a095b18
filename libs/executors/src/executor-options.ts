/**
 * The command-line options that choose and size an executor, shared by every command that runs
 * tasks (`trainer:compare`, `evaluator:predict`/`evaluate` in parts): `--executor local|slurm`,
 * `--parallel N` (local: processes at once; slurm: the array's `%K`), the Slurm resources, and
 * `--cluster-config FILE`, a JSON file whose `slurm` section holds the same resources
 * (options given on the command line win).
 */
import { readFileSync } from 'node:fs';
import type { Executor } from './executor.ts';
import { LocalExecutor } from './local-executor.ts';
import { SlurmExecutor, type SlurmResources } from './slurm-executor.ts';

export const EXECUTORS = ['local', 'slurm'] as const;
export type ExecutorKind = (typeof EXECUTORS)[number];

export interface ExecutorChoice {
  kind: ExecutorKind;
  /** null: the default (1 locally, unthrottled on Slurm). */
  parallel: number | null;
  resources: SlurmResources;
}

type Values = Record<string, string | boolean | string[] | undefined>;

/**
 * The executor options as command-line specs (the shape of @lesionseg/cli's OptionSpecs, which
 * this library does not import): every command that runs tasks spreads them into its options,
 * so --help says the same everywhere and parseExecutorChoice reads them.
 */
export const EXECUTOR_OPTIONS = {
  executor: {
    type: 'string',
    value: 'NAME',
    default: 'local',
    description: 'local (child processes) or slurm (one job array through sbatch; run folders on a file system every node sees)',
  },
  parallel: { type: 'string', value: 'N', default: '1 locally, no throttle on Slurm', description: 'tasks at once' },
  partition: { type: 'string', value: 'NAME', description: 'Slurm partition of every array task' },
  time: { type: 'string', value: 'D-HH:MM:SS', description: 'Slurm time limit of every array task' },
  gres: { type: 'string', value: 'SPEC', description: 'Slurm generic resources, e.g. gpu:1' },
  'cpus-per-task': { type: 'string', value: 'N', description: 'Slurm CPUs per array task' },
  mem: { type: 'string', value: 'SIZE', description: 'Slurm memory per array task, e.g. 16G' },
  account: { type: 'string', value: 'NAME', description: 'Slurm account' },
  'sbatch-flag': { type: 'string', value: 'FLAG', multiple: true, description: 'a further sbatch flag, as given, e.g. --sbatch-flag=--qos=high' },
  'cluster-config': {
    type: 'string',
    value: 'FILE',
    description: 'a JSON file whose "slurm" section holds partition, time, gres, cpusPerTask, mem, account, extra (options win)',
  },
} as const;

function str(v: unknown): string | null {
  return typeof v === 'string' && v !== '' ? v : null;
}

const RESOURCE_KEYS = ['partition', 'time', 'gres', 'cpusPerTask', 'mem', 'account', 'extra'] as const;

/** The `slurm` section of a --cluster-config file, checked. */
export function readClusterConfig(file: string, read: (f: string) => string = (f) => readFileSync(f, 'utf8')): SlurmResources {
  let raw: unknown;
  try {
    raw = JSON.parse(read(file));
  } catch (e) {
    throw new Error(`${file}: cannot read the cluster config (${(e as Error).message})`, { cause: e });
  }
  const slurm = (raw as { slurm?: unknown } | null)?.slurm;
  if (slurm === undefined) return {};
  if (typeof slurm !== 'object' || slurm === null || Array.isArray(slurm)) throw new Error(`${file}: "slurm" must be an object`);
  const s = slurm as Record<string, unknown>;
  const unknown = Object.keys(s).filter((k) => !(RESOURCE_KEYS as readonly string[]).includes(k));
  if (unknown.length > 0) throw new Error(`${file}: unknown slurm setting(s) ${unknown.join(', ')}; known: ${RESOURCE_KEYS.join(', ')}`);
  for (const k of ['partition', 'time', 'gres', 'mem', 'account'] as const) {
    if (s[k] !== undefined && typeof s[k] !== 'string') throw new Error(`${file}: slurm.${k} must be a string`);
  }
  if (s.cpusPerTask !== undefined && !(Number.isInteger(s.cpusPerTask) && (s.cpusPerTask as number) > 0))
    throw new Error(`${file}: slurm.cpusPerTask must be a positive integer`);
  if (s.extra !== undefined && !(Array.isArray(s.extra) && s.extra.every((x) => typeof x === 'string')))
    throw new Error(`${file}: slurm.extra must be a list of strings`);
  return s as SlurmResources;
}

/** Options -> which executor and its resources; bad values throw `usageError(message)`. */
export function parseExecutorChoice(values: Values, usageError: (message: string) => Error): ExecutorChoice {
  const kind = str(values.executor) ?? 'local';
  if (!(EXECUTORS as readonly string[]).includes(kind)) throw usageError(`--executor must be one of ${EXECUTORS.join(', ')}, got "${kind}"`);
  const positive = (name: string, v: unknown): number | null => {
    if (v === undefined) return null;
    if (typeof v !== 'string' || !/^[1-9]\d*$/.test(v)) throw usageError(`--${name} needs a positive integer, got "${String(v)}"`);
    return Number(v);
  };
  const parallel = positive('parallel', values.parallel);
  const configFile = str(values['cluster-config']);
  let fromFile: SlurmResources = {};
  if (configFile) {
    try {
      fromFile = readClusterConfig(configFile);
    } catch (e) {
      throw usageError((e as Error).message);
    }
  }
  const flags = Array.isArray(values['sbatch-flag']) ? values['sbatch-flag'] : [];
  const resources: SlurmResources = {
    partition: str(values.partition) ?? fromFile.partition ?? null,
    time: str(values.time) ?? fromFile.time ?? null,
    gres: str(values.gres) ?? fromFile.gres ?? null,
    cpusPerTask: positive('cpus-per-task', values['cpus-per-task']) ?? fromFile.cpusPerTask ?? null,
    mem: str(values.mem) ?? fromFile.mem ?? null,
    account: str(values.account) ?? fromFile.account ?? null,
    extra: [...(fromFile.extra ?? []), ...flags],
  };
  const slurmOnly = Object.entries(resources).filter(([k, v]) => (k === 'extra' ? (v as string[]).length > 0 : v !== null));
  if (kind === 'local' && slurmOnly.length > 0) throw usageError(`${slurmOnly.map(([k]) => k).join(', ')}: Slurm resources need --executor slurm`);
  return { kind: kind as ExecutorKind, parallel, resources };
}

/** The executor of a choice; Slurm's scripts and status files go to `workDir`. */
export function createExecutor(choice: ExecutorChoice, slurm: { workDir: string; jobName: string; pollMs?: number; log?: (line: string) => void }): Executor {
  if (choice.kind === 'local') return new LocalExecutor(choice.parallel ?? 1);
  return new SlurmExecutor({ ...choice.resources, ...slurm, throttle: choice.parallel });
}
