import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  batchScript,
  failureReport,
  LocalExecutor,
  parseExecutorChoice,
  parseSqueue,
  probeSlurm,
  resourceFlags,
  skipSlurmLoudly,
  SlurmExecutor,
  type Task,
  type TaskState,
} from '../src/index.ts';

const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'lesionseg-executors-'));

/** Tasks of a tiny script that prints its arguments and exits with the first one. */
function tasks(dir: string, codes: number[]): Task[] {
  const script = path.join(dir, 'task.ts');
  writeFileSync(
    script,
    "const [code, ...words] = process.argv.slice(2);\nconsole.log(`cwd ${process.cwd()} words ${words.join('|')}`);\nprocess.exit(Number(code));\n",
  );
  return codes.map((code, i) => ({
    label: `task-${i}`,
    script,
    args: [String(code), "it's", 'two words'],
    cwd: dir,
    logFile: path.join(dir, 'logs', `task-${i}.log`),
  }));
}

const usage = (m: string) => new Error(`usage: ${m}`);

/** Tasks that run until SIGTERM (then exit 143, as the trainer does after saving) and write started-<i>. */
function sleepers(dir: string, n: number): Task[] {
  const script = path.join(dir, 'sleeper.ts');
  writeFileSync(
    script,
    "import { writeFileSync } from 'node:fs';\nprocess.on('SIGTERM', () => process.exit(143));\nwriteFileSync(`started-${process.argv[2]}`, '');\nconsole.log('sleeping');\nsetTimeout(() => {}, 600_000);\n",
  );
  return Array.from({ length: n }, (_, i) => ({
    label: `sleeper-${i}`,
    script,
    args: [String(i)],
    cwd: dir,
    logFile: path.join(dir, 'logs', `sleeper-${i}.log`),
  }));
}

/** Resolves once `file` exists. */
async function until(file: string): Promise<void> {
  while (!existsSync(file)) await new Promise((r) => setTimeout(r, 100));
}

describe('executor options', () => {
  it('defaults to local, one at a time; Slurm resources become sbatch flags in a stable order', () => {
    expect(parseExecutorChoice({}, usage)).toEqual({
      kind: 'local',
      parallel: null,
      resources: { partition: null, time: null, gres: null, cpusPerTask: null, mem: null, account: null, extra: [] },
    });
    const c = parseExecutorChoice(
      {
        executor: 'slurm',
        parallel: '2',
        partition: 'gpu',
        time: '3:30:00',
        gres: 'gpu:1',
        'cpus-per-task': '8',
        mem: '32G',
        account: 'lab',
        'sbatch-flag': ['--qos=high'],
      },
      usage,
    );
    expect(c.parallel).toBe(2);
    expect(resourceFlags(c.resources)).toEqual([
      '--partition=gpu',
      '--time=3:30:00',
      '--gres=gpu:1',
      '--cpus-per-task=8',
      '--mem=32G',
      '--account=lab',
      '--qos=high',
    ]);
  });

  it('reads the slurm section of --cluster-config; command-line options win', () => {
    const f = path.join(tmp(), 'cluster.json');
    writeFileSync(f, JSON.stringify({ slurm: { partition: 'short', gres: 'gpu:a100:1', extra: ['--signal=B:TERM@120'] } }));
    const c = parseExecutorChoice({ executor: 'slurm', partition: 'long', 'cluster-config': f }, usage);
    expect(resourceFlags(c.resources)).toEqual(['--partition=long', '--gres=gpu:a100:1', '--signal=B:TERM@120']);
    writeFileSync(f, JSON.stringify({ slurm: { partitions: 'x' } }));
    expect(() => parseExecutorChoice({ executor: 'slurm', 'cluster-config': f }, usage)).toThrow(
      `usage: ${f}: unknown slurm setting(s) partitions; known: partition,`,
    );
  });

  it('refuses an unknown executor, a bad count and Slurm resources without --executor slurm', () => {
    expect(() => parseExecutorChoice({ executor: 'k8s' }, usage)).toThrow('usage: --executor must be one of local, slurm, got "k8s"');
    expect(() => parseExecutorChoice({ parallel: '0' }, usage)).toThrow('usage: --parallel needs a positive integer, got "0"');
    expect(() => parseExecutorChoice({ gres: 'gpu:1' }, usage)).toThrow('usage: gres: Slurm resources need --executor slurm');
  });
});

describe('the Slurm batch script', () => {
  it('runs task i in its folder with its arguments quoted, logs it and records its exit status', () => {
    const dir = tmp();
    const ts = tasks(dir, [0, 3]);
    const script = path.join(dir, 'array.sh');
    writeFileSync(script, batchScript(ts, dir));
    const r = spawnSync('bash', [script], { env: { ...process.env, SLURM_ARRAY_TASK_ID: '1' }, cwd: os.tmpdir(), encoding: 'utf8' });
    expect(r.status).toBe(3);
    expect(readFileSync(path.join(dir, '1.exit'), 'utf8')).toBe('3\n');
    expect(readFileSync(ts[1].logFile, 'utf8')).toBe(`cwd ${dir} words it's|two words\n`);
    const bad = spawnSync('bash', [script], { env: { ...process.env, SLURM_ARRAY_TASK_ID: '7' }, encoding: 'utf8' });
    expect([bad.status, bad.stderr.trim()]).toEqual([2, 'no task 7 in this array']);
  });

  it('reads squeue’s per-task lines (a throttled pending range is expanded by -r)', () => {
    expect([...parseSqueue('2 PENDING\n1 RUNNING\n0 COMPLETING\n').entries()]).toEqual([
      [2, 'pending'],
      [1, 'running'],
      [0, 'running'],
    ]);
  });
});

describe('local executor', () => {
  it('runs every task, at most N at once, and reports state and exit code per task', async () => {
    const dir = tmp();
    const seen: string[] = [];
    const out = await new LocalExecutor(2).runAll(tasks(dir, [0, 5, 0]), (i, s) => seen.push(`${i}:${s}`));
    expect(out.map((o) => [o.name, o.state, o.exitCode])).toEqual([
      ['task-0', 'done', 0],
      ['task-1', 'failed', 5],
      ['task-2', 'done', 0],
    ]);
    expect(seen.slice(0, 3)).toEqual(['0:pending', '1:pending', '2:pending']);
    expect(seen).toContain('1:failed');
    expect(failureReport(out)).toEqual([`task-1 failed (exit 5):\n  cwd ${dir} words it's|two words`]);
  });

  it('cancelled: the running children get SIGTERM and are waited for, the pending tasks never start', async () => {
    const dir = tmp();
    const controller = new AbortController();
    const t0 = Date.now();
    const running = new LocalExecutor(2).runAll(sleepers(dir, 3), () => {}, { signal: controller.signal });
    await Promise.all([until(path.join(dir, 'started-0')), until(path.join(dir, 'started-1'))]);
    controller.abort();
    const out = await running;
    expect(Date.now() - t0).toBeLessThan(60_000);
    expect(out.map((o) => [o.name, o.state, o.exitCode])).toEqual([
      ['sleeper-0', 'failed', 143],
      ['sleeper-1', 'failed', 143],
      ['sleeper-2', 'failed', null],
    ]);
    expect(out[2].tail).toEqual(['(cancelled before it started)']);
    expect(existsSync(path.join(dir, 'started-2'))).toBe(false);
  }, 60_000);
});

const slurm = probeSlurm();
skipSlurmLoudly('the slurm executor tests', slurm);

describe.skipIf(!slurm.ok)('slurm executor on the local Slurm', () => {
  it('submits one throttled array; the states, exit codes and logs equal the local executor’s', async () => {
    const local = await new LocalExecutor(2).runAll(tasks(tmp(), [0, 4, 0]));
    const dir = tmp();
    const states: TaskState[][] = [[], [], []];
    const ex = new SlurmExecutor({ workDir: path.join(dir, 'slurm'), jobName: 'executor-test', throttle: 2, pollMs: 200 });
    const ts = tasks(dir, [0, 4, 0]);
    const out = await ex.runAll(ts, (i, s) => states[i].push(s));
    expect(ex.jobId).toMatch(/^\d+$/);
    expect(out.map((o) => [o.name, o.state, o.exitCode])).toEqual(local.map((o) => [o.name, o.state, o.exitCode]));
    expect(out[1].tail).toEqual([`cwd ${dir} words it's|two words`]);
    for (const s of states) expect(s[0]).toBe('pending');
    expect(states.map((s) => s[s.length - 1])).toEqual(['done', 'failed', 'done']);
    for (const s of states) expect(s.filter((x) => x === 'done' || x === 'failed')).toHaveLength(1); // an end is told once, as it happens
  }, 120_000);

  it('tells a task done as soon as it leaves the queue, not when the whole array has ended', async () => {
    const dir = tmp();
    const script = path.join(dir, 'sleep.mts'); // ESM: top-level await
    // Task 1 waits until task 0 has been told done (the marker file below), at most 60 s.
    const marker = path.join(dir, 'task-0-told-done');
    writeFileSync(
      script,
      `import { existsSync } from 'node:fs';\nconst slow = process.argv[2] === 'slow';\nconst t0 = Date.now();\nwhile (slow && !existsSync(${JSON.stringify(marker)}) && Date.now() - t0 < 60000) await new Promise((r) => setTimeout(r, 100));\nconsole.log(existsSync(${JSON.stringify(marker)}) ? 'saw marker' : 'no marker');\n`,
    );
    const ts: Task[] = ['fast', 'slow'].map((arg, i) => ({ label: `t${i}`, script, args: [arg], cwd: dir, logFile: path.join(dir, 'logs', `t${i}.log`) }));
    const ex = new SlurmExecutor({ workDir: path.join(dir, 'slurm'), jobName: 'early-done', pollMs: 200 });
    const out = await ex.runAll(ts, (i, s) => {
      if (i === 0 && s === 'done') writeFileSync(marker, '');
    });
    expect(out.map((o) => o.state)).toEqual(['done', 'done']);
    expect(out[1].tail).toEqual(['saw marker']);
  }, 120_000);

  it('cancelled: the array is scancelled and waited for until squeue no longer lists it', async () => {
    const dir = tmp();
    const controller = new AbortController();
    const log: string[] = [];
    const ex = new SlurmExecutor({ workDir: path.join(dir, 'slurm'), jobName: 'executor-cancel', throttle: 1, pollMs: 200, log: (l) => log.push(l) });
    const states: TaskState[][] = [[], [], []];
    const running = ex.runAll(sleepers(dir, 3), (i, s) => states[i].push(s), { signal: controller.signal });
    await until(path.join(dir, 'started-0'));
    controller.abort();
    const out = await running;
    expect(log[0]).toMatch(new RegExp(`^submitted Slurm job array ${ex.jobId} \\(3 task\\(s\\), 1 at a time`));
    expect(log[1]).toBe(`cancelling Slurm job array ${ex.jobId} (scancel); waiting for its tasks to end`);
    expect(execFileSync('squeue', ['-h', '-r', '-j', ex.jobId as string, '-o', '%i'], { encoding: 'utf8' }).trim()).toBe('');
    expect(out.map((o) => [o.state, o.exitCode])).toEqual([
      ['failed', 143],
      ['failed', null],
      ['failed', null],
    ]);
    for (const s of states) expect([s[0], s.filter((x) => x === 'done' || x === 'failed')]).toEqual(['pending', ['failed']]); // (running may fall between two polls)
  }, 120_000);

  it('a failing sbatch is an error naming the command and Slurm’s message', async () => {
    const dir = tmp();
    const ex = new SlurmExecutor({ workDir: dir, jobName: 'bad', partition: 'no-such-partition', pollMs: 200 });
    await expect(ex.runAll(tasks(dir, [0]))).rejects.toThrow(
      /sbatch --parsable --array=0-0 .*--partition=no-such-partition.* failed: sbatch: error: .*[Pp]artition/,
    );
  });
});
