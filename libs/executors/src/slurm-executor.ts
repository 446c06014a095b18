/**
 * The `slurm` executor: the tasks become one job array (`sbatch --parsable --array=0-N%K`),
 * array task i running task i through a generated batch script. Each task's state comes from
 * `squeue` (no accounting needed, so `sacct` is not used) and its exit status from a file
 * the batch script writes when the command ends, so a task cancelled with `scancel`,
 * pre-empted or out of time is reported with the status its command exited with (the trainer
 * saves `checkpoints/latest` on the SIGTERM Slurm sends first and exits 143).
 *
 * The command runs on a compute node: Node.js (this process's `process.execPath`), the
 * workspace and the run folders must be at the same paths there (a shared file system).
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { writeFileAtomic } from '@lesionseg/data';
import { tsxArgv } from './child-process.ts';
import { notStarted, type Executor, type RunOptions, type Task, type TaskOutcome, type TaskState } from './executor.ts';
import { logTail } from './log-tail.ts';

const exec = promisify(execFile);

/** Resources of every array task; each becomes the `sbatch` option of the same name. */
export interface SlurmResources {
  partition?: string | null;
  /** `--time`, e.g. 3:30:00 (the budget plus evaluation and start-up, with a margin). */
  time?: string | null;
  /** `--gres`, e.g. gpu:1. */
  gres?: string | null;
  cpusPerTask?: number | null;
  /** `--mem`, e.g. 16G. */
  mem?: string | null;
  account?: string | null;
  /** Further `sbatch` flags, passed as given (e.g. --qos=normal, --signal=B:TERM@120). */
  extra?: string[];
}

export interface SlurmExecutorOptions extends SlurmResources {
  /** Where the batch script, Slurm's own output and the exit-status files go (shared by all nodes). */
  workDir: string;
  /** The array's `--job-name`. */
  jobName: string;
  /** Array tasks running at once (`%K`); default: no limit. */
  throttle?: number | null;
  /** How often squeue is asked (default 2 s). */
  pollMs?: number;
  /** The client commands (default: sbatch, squeue, scancel on PATH). */
  sbatch?: string;
  squeue?: string;
  scancel?: string;
  /** Messages: the array's job id once submitted (users scancel or squeue it), its cancelling. */
  log?: (line: string) => void;
}

/** The sbatch options of a set of resources, in a stable order. */
export function resourceFlags(r: SlurmResources): string[] {
  const flags: string[] = [];
  if (r.partition) flags.push(`--partition=${r.partition}`);
  if (r.time) flags.push(`--time=${r.time}`);
  if (r.gres) flags.push(`--gres=${r.gres}`);
  if (r.cpusPerTask) flags.push(`--cpus-per-task=${r.cpusPerTask}`);
  if (r.mem) flags.push(`--mem=${r.mem}`);
  if (r.account) flags.push(`--account=${r.account}`);
  return [...flags, ...(r.extra ?? [])];
}

/** A word for bash: single-quoted, with single quotes closed and escaped. */
export function shellQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * The batch script: a `case` on SLURM_ARRAY_TASK_ID picks the task's folder, log and command.
 * The command runs in the background so that a TERM sent to the batch shell alone
 * (`--signal=B:TERM@...`) is passed on to it; the exit status is written atomically at the end.
 */
export function batchScript(tasks: readonly Task[], statusDir: string, node: string = process.execPath): string {
  const cases = tasks.map((t, i) => {
    const argv = [node, ...tsxArgv(t)].map(shellQuote).join(' ');
    return `  ${i}) cd ${shellQuote(t.cwd)} && log=${shellQuote(t.logFile)} && set -- ${argv} ;; # ${t.label}`;
  });
  return `#!/bin/bash
# Written by lesionseg's slurm executor: array task i runs task i below.
set -u
i="\${SLURM_ARRAY_TASK_ID:?not an array task}"
status_dir=${shellQuote(statusDir)}
case "$i" in
${cases.join('\n')}
  *) echo "no task $i in this array" >&2; exit 2 ;;
esac
mkdir -p "$(dirname "$log")"
export INIT_CWD="$PWD"
"$@" >"$log" 2>&1 &
child=$!
trap 'kill -TERM "$child" 2>/dev/null' TERM INT
wait "$child"
code=$?
while kill -0 "$child" 2>/dev/null; do
  wait "$child"
  code=$?
done
echo "$code" >"$status_dir/$i.exit.tmp" && mv "$status_dir/$i.exit.tmp" "$status_dir/$i.exit"
exit "$code"
`;
}

/** squeue's states -> ours (a task squeue no longer lists has ended). */
export function squeueState(slurmState: string): TaskState {
  return slurmState === 'PENDING' ? 'pending' : 'running';
}

/** `squeue -h -r -o '%K %T'` lines -> array index -> state. */
export function parseSqueue(stdout: string): Map<number, TaskState> {
  const states = new Map<number, TaskState>();
  for (const line of stdout.split('\n')) {
    const m = /^\s*(\d+)\s+([A-Z_]+)\s*$/.exec(line);
    if (m) states.set(Number(m[1]), squeueState(m[2]));
  }
  return states;
}

export class SlurmExecutor implements Executor {
  readonly kind = 'slurm';
  /** The last array's job id (for messages, and for tests that cancel a task). */
  jobId: string | null = null;

  constructor(private readonly o: SlurmExecutorOptions) {}

  async runAll(tasks: readonly Task[], onState: (index: number, state: TaskState) => void = () => {}, options: RunOptions = {}): Promise<TaskOutcome[]> {
    if (tasks.length === 0) return [];
    const { signal } = options;
    if (signal?.aborted) return tasks.map(notStarted);
    const statusDir = path.join(this.o.workDir, `${this.o.jobName}.status`);
    await rm(statusDir, { recursive: true, force: true });
    const script = path.join(this.o.workDir, `${this.o.jobName}.sbatch.sh`);
    await writeFileAtomic(path.join(statusDir, '.keep'), '');
    await writeFileAtomic(script, batchScript(tasks, statusDir));
    const array = `--array=0-${tasks.length - 1}${this.o.throttle ? `%${this.o.throttle}` : ''}`;
    const args = [
      '--parsable',
      array,
      `--job-name=${this.o.jobName}`,
      `--output=${path.join(this.o.workDir, `${this.o.jobName}-%a.slurm.out`)}`,
      ...resourceFlags(this.o),
      script,
    ];
    const started = Date.now();
    let stdout: string;
    try {
      ({ stdout } = await exec(this.o.sbatch ?? 'sbatch', args));
    } catch (e) {
      const err = e as { stderr?: string; message: string };
      throw new Error(`sbatch ${args.join(' ')} failed: ${(err.stderr ?? err.message).trim()}`, { cause: e });
    }
    const jobId = stdout.trim().split(';')[0];
    if (!/^\d+$/.test(jobId)) throw new Error(`sbatch printed "${stdout.trim()}", not a job id`);
    this.jobId = jobId;
    this.o.log?.(
      `submitted Slurm job array ${jobId} (${tasks.length} task(s)${this.o.throttle ? `, ${this.o.throttle} at a time` : ''}; script and Slurm output in ${this.o.workDir})`,
    );
    // Cancelled (Ctrl-C, SIGTERM): scancel the whole array, then wait below until squeue no longer lists it.
    let cancelling: Promise<boolean> | null = null;
    let abandoned = false; // scancel failed: do not wait for tasks that keep running
    const cancel = (): void => {
      cancelling ??= this.scancel(jobId).then((ok) => (abandoned = !ok));
    };
    if (signal?.aborted) cancel();
    signal?.addEventListener('abort', cancel, { once: true });

    const states: TaskState[] = tasks.map(() => 'pending');
    const startedAt: number[] = tasks.map(() => started);
    tasks.forEach((_, i) => onState(i, 'pending'));
    const outcomes: (TaskOutcome | undefined)[] = tasks.map(() => undefined);
    // A task that left the queue is told done/failed at once (from the exit status its batch
    // script wrote), not when the whole array has ended: a long array's progress shows it.
    const finish = async (i: number): Promise<void> => {
      const exitFile = path.join(statusDir, `${i}.exit`);
      const exitCode = existsSync(exitFile) ? Number((await readFile(exitFile, 'utf8')).trim()) : null;
      const state = exitCode === 0 ? 'done' : 'failed';
      outcomes[i] = { name: tasks[i].label, state, exitCode, ms: Date.now() - startedAt[i], tail: await logTail(tasks[i].logFile) };
      onState(i, state);
    };
    for (;;) {
      const listed = await this.squeue(jobId);
      for (let i = 0; i < tasks.length; i++) {
        if (outcomes[i]) continue;
        const now = listed?.get(i);
        if (now === undefined && listed !== null) {
          await finish(i);
          continue;
        }
        if (now !== undefined && now !== states[i]) {
          if (now === 'running') startedAt[i] = Date.now();
          states[i] = now;
          onState(i, now);
        }
      }
      if (outcomes.every((o) => o !== undefined) || abandoned) break;
      await new Promise((r) => setTimeout(r, this.o.pollMs ?? 2000));
    }
    signal?.removeEventListener('abort', cancel);
    await cancelling;
    for (let i = 0; i < tasks.length; i++) if (!outcomes[i]) await finish(i); // scancel failed: as they are now
    return outcomes as TaskOutcome[];
  }

  /** Cancels every task of the array (running ones get SIGTERM, then SIGKILL after KillWait). */
  private async scancel(jobId: string): Promise<boolean> {
    this.o.log?.(`cancelling Slurm job array ${jobId} (scancel); waiting for its tasks to end`);
    try {
      await exec(this.o.scancel ?? 'scancel', [jobId]);
      return true;
    } catch (e) {
      const err = e as { stderr?: string; message: string };
      this.o.log?.(`scancel ${jobId} failed: ${(err.stderr ?? err.message).trim()} (cancel it by hand: scancel ${jobId})`);
      return false;
    }
  }

  /** Index -> state of the array's tasks still queued or running; null when squeue did not answer. */
  private async squeue(jobId: string): Promise<Map<number, TaskState> | null> {
    try {
      const { stdout } = await exec(this.o.squeue ?? 'squeue', ['-h', '-r', '-j', jobId, '-o', '%K %T']);
      return parseSqueue(stdout);
    } catch (e) {
      // Once the job has left the controller's memory, squeue calls its id invalid: all ended.
      if (/Invalid job id/i.test((e as { stderr?: string }).stderr ?? '')) return new Map();
      return null; // the controller is busy or restarting: ask again
    }
  }
}
