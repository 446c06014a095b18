// Running a batch of commands as tasks: local child processes or a Slurm job array, behind one
// interface (executor.ts says how a Kubernetes Jobs executor would fit).
export { runTsxChild, runPool, type ChildJob, type ChildResult, type ChildRunner } from './child-process.ts';
export { failureReport, type Executor, type RunOptions, type Task, type TaskOutcome, type TaskState } from './executor.ts';
export { LocalExecutor } from './local-executor.ts';
export { SlurmExecutor, batchScript, parseSqueue, resourceFlags, shellQuote, type SlurmExecutorOptions, type SlurmResources } from './slurm-executor.ts';
export {
  EXECUTOR_OPTIONS,
  EXECUTORS,
  createExecutor,
  parseExecutorChoice,
  readClusterConfig,
  type ExecutorChoice,
  type ExecutorKind,
} from './executor-options.ts';
export { logTail } from './log-tail.ts';
export { probeSlurm, skipSlurmLoudly, type SlurmProbe } from './slurm-probe.ts';
