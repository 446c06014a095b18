/** The `local` executor: each task a child process of this one, at most `parallel` at once. */
import { runPool, runTsxChild, type ChildRunner } from './child-process.ts';
import type { Executor, Task, TaskOutcome, TaskState } from './executor.ts';

export class LocalExecutor implements Executor {
  readonly kind = 'local';

  constructor(
    private readonly parallel: number,
    private readonly runner: ChildRunner = runTsxChild,
  ) {
    if (!Number.isInteger(parallel) || parallel < 1) throw new Error(`local executor: parallel must be a positive integer, got ${parallel}`);
  }

  async runAll(tasks: readonly Task[], onState: (index: number, state: TaskState) => void = () => {}): Promise<TaskOutcome[]> {
    const outcomes: TaskOutcome[] = new Array(tasks.length);
    tasks.forEach((_, i) => onState(i, 'pending'));
    await runPool(
      tasks.map((task, index) => ({ task, index })),
      this.parallel,
      async ({ task, index }) => {
        onState(index, 'running');
        const r = await this.runner(task);
        const state = r.exitCode === 0 ? 'done' : 'failed';
        outcomes[index] = { name: task.label, state, exitCode: r.exitCode, ms: r.ms, tail: r.tail };
        onState(index, state);
      },
    );
    return outcomes;
  }
}
