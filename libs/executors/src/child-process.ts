/**
 * Runs one stage of a comparison (a training run, an evaluation) as its own Node process, with
 * its output in a log file: a crash or an out-of-memory in one configuration cannot take the
 * others down, and parallel runs each get their own wasm heap and thread.
 */
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';

export interface ChildJob {
  /** What to call it in messages. */
  label: string;
  /** A TypeScript entry point, run with tsx. */
  script: string;
  args: string[];
  logFile: string;
  cwd: string;
  /** Every output line as it comes (besides the log file), e.g. to show an evaluation's progress. */
  onLine?: (line: string) => void;
}

export interface ChildResult {
  exitCode: number;
  ms: number;
  /** The last lines of the log, for the error message. */
  tail: string[];
}

/** Runs a job; when `signal` aborts, the child gets SIGTERM (and the result is its exit status). */
export type ChildRunner = (job: ChildJob, signal?: AbortSignal) => Promise<ChildResult>;

/**
 * tsx's loader as a file URL: `--import tsx` alone is resolved from the child's working
 * folder, which need not be inside the workspace (a task's folder, a compute node's cwd).
 */
export const TSX_LOADER = import.meta.resolve('tsx');

/** The argv that runs a job's TypeScript entry point with Node.js and tsx. */
export function tsxArgv(job: Pick<ChildJob, 'script' | 'args'>): string[] {
  return ['--import', TSX_LOADER, job.script, ...job.args];
}

export const runTsxChild: ChildRunner = async (job, signal) => {
  await mkdir(path.dirname(job.logFile), { recursive: true });
  const log = createWriteStream(job.logFile);
  const started = Date.now();
  const tail: string[] = [];
  const keep = (chunk: Buffer) => {
    log.write(chunk);
    for (const line of chunk.toString('utf8').split(/[\r\n]+/)) {
      if (line.trim() === '') continue;
      tail.push(line);
      job.onLine?.(line);
    }
    tail.splice(0, Math.max(0, tail.length - 8));
  };
  const child = spawn(process.execPath, tsxArgv(job), {
    cwd: job.cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, INIT_CWD: job.cwd },
  });
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  // Ctrl-C reaches the whole process group, a `kill PID` only this process: the child gets a
  // SIGTERM either way (a trainer takes signals within a second of each other as one request
  // and saves its checkpoint), and is waited for.
  const terminate = (): void => void child.kill('SIGTERM');
  if (signal?.aborted) terminate();
  signal?.addEventListener('abort', terminate, { once: true });
  const exitCode = await new Promise<number>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, killedBy) => resolve(code ?? (killedBy ? 128 + 15 : 1)));
  }).finally(() => signal?.removeEventListener('abort', terminate));
  await new Promise<void>((resolve) => log.end(resolve));
  return { exitCode, ms: Date.now() - started, tail };
};

/** Run jobs with at most `parallel` at once, in order; none is started once `signal` aborts. */
export async function runPool<T>(items: readonly T[], parallel: number, run: (item: T) => Promise<void>, signal?: AbortSignal): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(parallel, items.length) }, async () => {
    while (next < items.length && !signal?.aborted) {
      const item = items[next++];
      await run(item);
    }
  });
  await Promise.all(workers);
}
