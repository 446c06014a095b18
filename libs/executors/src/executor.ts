/**
 * The one interface every way of running a batch of tasks implements: "task i of n" is a
 * command (a TypeScript entry point and its arguments, run with tsx), a working folder and a
 * log file; the executor runs them with its own resources, tells each state change as it
 * happens, and reports every task's end state, exit code and log tail.
 *
 * `local` runs them as child processes of this one (`--parallel N` at once); `slurm` submits
 * them as one job array (`sbatch --array=0-N%K`). A Kubernetes Jobs executor fits the same
 * shape: one Indexed Job (`completionMode: Indexed`, `completions: n`, `parallelism: K`)
 * whose pod reads `JOB_COMPLETION_INDEX` where the Slurm script reads SLURM_ARRAY_TASK_ID,
 * resources as the container's requests/limits, states polled from the Job's pods, the exit
 * code from each pod's terminated container state, and run folders on a shared volume (a
 * ReadWriteMany PersistentVolumeClaim) mounted at the same path as here; cancelling is deleting
 * the Job (its pods get SIGTERM, then SIGKILL after the grace period, as Slurm's KillWait).
 *
 * Cancelling (`RunOptions.signal`, aborted on Ctrl-C / SIGTERM): the executor stops what it
 * started (local: SIGTERM to each child; slurm: `scancel` of the array), starts nothing more,
 * waits until every task has ended, and resolves with the outcomes as they are (a task that
 * never started is failed with no exit status). Trainings save checkpoints/latest on that
 * SIGTERM, so the batch can be resumed.
 */
import type { ChildJob } from './child-process.ts';

/** A task: the command to run and where its output goes (`label` is its name in messages). */
export type Task = ChildJob;

export type TaskState = 'pending' | 'running' | 'done' | 'failed';

export interface TaskOutcome {
  name: string;
  state: 'done' | 'failed';
  /** The command's exit status; null when it ended without one (killed, node lost). */
  exitCode: number | null;
  ms: number;
  /** The last lines of the task's log, for the error message. */
  tail: string[];
}

export interface RunOptions {
  /** Aborted: cancel every task (see above); runAll still resolves once they have all ended. */
  signal?: AbortSignal;
}

export interface Executor {
  /** `local`, `slurm`: what to call it in messages. */
  readonly kind: string;
  /** Run every task; `onState(i, state)` is called as task i changes state. Outcomes in the tasks' order. */
  runAll(tasks: readonly Task[], onState?: (index: number, state: TaskState) => void, options?: RunOptions): Promise<TaskOutcome[]>;
}

/** The outcome of a task that was cancelled before it started. */
export function notStarted(task: Task): TaskOutcome {
  return { name: task.label, state: 'failed', exitCode: null, ms: 0, tail: ['(cancelled before it started)'] };
}

/** A line per failed task, naming it, with its exit status and the end of its log. */
export function failureReport(outcomes: readonly TaskOutcome[]): string[] {
  return outcomes
    .filter((o) => o.state === 'failed')
    .map(
      (o) =>
        `${o.name} failed (${o.exitCode === null ? 'no exit status: killed or lost' : `exit ${o.exitCode}`}):\n  ${o.tail.length > 0 ? o.tail.join('\n  ') : '(empty log)'}`,
    );
}
