/** The `local` executor: each task a child process of this one, at most `parallel` at once. */
import { runPool, runTsxChild, type ChildRunner } from './child-process.ts';
import { notStarted, type Executor, type RunOptions, type Task, type TaskOutcome, type TaskState } from './executor.ts';

export class LocalExecutor implements Executor {
  readonly kind = 'local';

  constructor(
    private readonly parallel: number,
    private readonly runner: ChildRunner = runTsxChild,
  ) {
    if (!Number.isInteger(parallel) || parallel < 1) throw new Error(`local executor: parallel must be a positive integer, got ${parallel}`);
  }

  async runAll(tasks: readonly Task[], onState: (index: number, state: TaskState) => void = () => {}, options: RunOptions = {}): Promise<TaskOutcome[]> {
    const outcomes: TaskOutcome[] = new Array(tasks.length);
    tasks.forEach((_, i) => onState(i, 'pending'));
    await runPool(
      tasks.map((task, index) => ({ task, index })),
      this.parallel,
      async ({ task, index }) => {
        onState(index, 'running');
        const r = await this.runner(task, options.signal);
        const state = r.exitCode === 0 ? 'done' : 'failed';
        outcomes[index] = { name: task.label, state, exitCode: r.exitCode, ms: r.ms, tail: r.tail };
        onState(index, state);
      },
      options.signal,
    );
    for (const [i, task] of tasks.entries()) {
      if (outcomes[i]) continue;
      outcomes[i] = notStarted(task);
      onState(i, 'failed');
    }
    return outcomes;
  }
}
