// Running a command as a task: a local child process today (issue 15 adds the Slurm executor).
export { runTsxChild, runPool, type ChildJob, type ChildResult, type ChildRunner } from './child-process.ts';
