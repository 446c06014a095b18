/** Faults 4, 10, 11 and 18 (stale temporaries) of issue 12: run folders after failures. */
import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { removeStaleCheckpointTemps } from '@lesionseg/models';
import { parseCli } from '../src/cli/args.ts';
import { train } from '../src/train.ts';
import { createRealRuntime } from '../src/adapters/real-runtime.ts';
import { fakeDeps } from './fake-runtime.ts';
import { tinyConfig, tinySetup } from './process-harness.ts';
import { tempDir } from './harness.ts';

function workspace(): string {
  const root = tempDir('lesionseg-ws-');
  mkdirSync(path.join(root, 'data', 'phantoms'), { recursive: true });
  return root;
}

const lines = (runDir: string) =>
  readFileSync(path.join(runDir, 'events.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l !== '');
const deadPid = () => spawnSync(process.execPath, ['-e', '0']).pid as number;

/** Runs 12 iterations, interrupted after `stopAt`. */
async function interrupted(root: string, out: string, stopAt: number) {
  const first = fakeDeps(root, {
    hooks: [{ name: 'ctrl-c', afterStep: (ctx) => void (ctx.iteration === stopAt && first.captured.signal?.('SIGINT')) }],
  });
  const r = await train(parseCli(['--preset', 'ohem-m0.9', '--iterations', '12', '--seed', '9', '--out', out]), first.deps);
  expect(r.exitCode).toBe(130);
}

describe('run folders after failures', () => {
  it('fault 4: a start that fails (bad data, backend) writes nothing; the same --out then starts normally', async () => {
    const root = workspace();
    const failing = fakeDeps(root, { createRuntime: () => Promise.reject(new Error('p02/flair_time01_on_middle_space.nii.gz: corrupt gzip data')) });
    await expect(train(parseCli(['--iterations', '3', '--out', 'runs/x']), failing.deps)).rejects.toThrow('corrupt gzip');
    expect(existsSync(path.join(root, 'runs', 'x', 'config.json'))).toBe(false);
    const again = fakeDeps(root);
    expect((await train(parseCli(['--iterations', '3', '--out', 'runs/x']), again.deps)).exitCode).toBe(0);
  });

  it('fault 4: a folder with config.json but no checkpoint is reused by a new start, and --resume starts it from the beginning', async () => {
    const root = workspace();
    const runDir = path.join(root, 'runs', 'x');
    mkdirSync(runDir, { recursive: true });
    writeFileSync(path.join(runDir, 'config.json'), '{}');
    writeFileSync(path.join(runDir, 'events.jsonl'), '{"type":"trainStart","iteration":0,"elapsedMs":0}\n');
    const a = fakeDeps(root);
    expect((await train(parseCli(['--iterations', '3', '--out', 'runs/x']), a.deps)).exitCode).toBe(0);
    expect(a.captured.logs.join('\n')).toContain('holds no checkpoint (an earlier start that failed)');
    expect(lines(runDir).filter((l) => l.includes('"trainStart"'))).toHaveLength(1);

    const other = path.join(root, 'runs', 'y');
    mkdirSync(other, { recursive: true });
    writeFileSync(path.join(other, 'config.json'), readFileSync(path.join(runDir, 'config.json')));
    const b = fakeDeps(root);
    const r = await train(parseCli(['--resume', other]), b.deps);
    expect(r.exitCode).toBe(0);
    expect(b.captured.logs.join('\n')).toContain('no checkpoint saved yet, so the run starts from the beginning');
    expect(JSON.parse(readFileSync(path.join(other, 'split.json'), 'utf8'))).toMatchObject({ train: ['p01', 'p02', 'p03'] });
    // a folder with checkpoints still refuses a new start
    await expect(train(parseCli(['--iterations', '3', '--out', 'runs/x']), fakeDeps(root).deps)).rejects.toThrow('already holds a run');
  });

  it('fault 10: a run folder in use by a live trainer is refused; a lock left by a dead process is taken over', async () => {
    const root = workspace();
    await interrupted(root, 'runs/x', 4);
    const runDir = path.join(root, 'runs', 'x');
    const lock = path.join(runDir, '.lock');
    expect(existsSync(lock)).toBe(false); // released at the end
    writeFileSync(lock, JSON.stringify({ pid: process.pid, host: os.hostname() }));
    await expect(train(parseCli(['--resume', runDir]), fakeDeps(root).deps)).rejects.toThrow(`is in use by another trainer (pid ${process.pid}`);
    writeFileSync(lock, JSON.stringify({ pid: deadPid(), host: os.hostname() }));
    const d = fakeDeps(root);
    expect((await train(parseCli(['--resume', runDir]), d.deps)).exitCode).toBe(0);
    expect(d.captured.logs.join('\n')).toMatch(/taking over a stale lock of pid \d+ \(no such process\)/);
    expect(existsSync(lock)).toBe(false);
  });

  it('fault 11: a torn last line in events.jsonl is cut with a warning before --resume appends; steps after the checkpoint are cut too', async () => {
    const root = workspace();
    await interrupted(root, 'runs/x', 5);
    const runDir = path.join(root, 'runs', 'x');
    // as if a later run was SIGKILLed after two more steps, mid-write
    appendFileSync(
      path.join(runDir, 'events.jsonl'),
      '{"type":"stepDone","iteration":6,"elapsedMs":1,"loss":1}\n{"type":"stepDone","iteration":7,"elapsedMs":2,"loss":1}\n{"type":"stepDo',
    );
    const d = fakeDeps(root);
    expect((await train(parseCli(['--resume', runDir]), d.deps)).exitCode).toBe(0);
    const log = d.captured.logs.join('\n');
    expect(log).toContain('removed a torn last line (15 bytes without a newline');
    expect(log).toContain('cut the events of 2 step(s) logged after the checkpoint at iteration 5');
    const events = lines(runDir).map((l) => JSON.parse(l) as { type: string; iteration: number });
    expect(events.filter((e) => e.type === 'stepDone').map((e) => e.iteration)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  });

  it(
    'faults 4, 12, 17: validationFraction leaving no training patient fails before anything is written; a split with no validation patient says why',
    { timeout: 120_000 },
    async () => {
      const { dir, data } = await tinySetup(3);
      const config = tinyConfig(data, 3);
      config['data'] = { ...(config['data'] as object), validationFraction: 0.9 };
      writeFileSync(path.join(dir, 'c.json'), JSON.stringify(config));
      const logs: string[] = [];
      const d = fakeDeps(dir, { createRuntime: (request) => createRealRuntime(request, (t) => logs.push(t)) });
      await expect(train(parseCli(['--config', path.join(dir, 'c.json'), '--out', 'run']), d.deps)).rejects.toThrow(
        `no training patient: 3 patient(s) in ${data}, data.validationFraction 0.9 puts every patient in validation`,
      );
      expect(existsSync(path.join(dir, 'run', 'config.json'))).toBe(false);
      const one = await tinySetup(3, 1);
      const base = tinyConfig(one.data, 3);
      const single = { ...base, data: { ...(base['data'] as object), validationFraction: 0.25 }, validation: { type: 'dice', everyIterations: 2 } };
      writeFileSync(path.join(dir, 'c.json'), JSON.stringify(single));
      expect((await train(parseCli(['--config', path.join(dir, 'c.json'), '--out', 'run']), d.deps)).exitCode).toBe(0);
      expect(logs.join('\n')).toContain(`no patient is held out (1 patient(s) in ${one.data}, data.validationFraction 0.25 rounds to none)`);
    },
  );

  it('fault 18: temporary checkpoint folders of a writer that died are removed at the next save', async () => {
    const root = workspace();
    await interrupted(root, 'runs/x', 2);
    const runDir = path.join(root, 'runs', 'x');
    const stale = path.join(runDir, 'checkpoints', `latest.tmp-${deadPid()}-1764590000000`);
    mkdirSync(stale);
    writeFileSync(path.join(stale, 'model.weights.bin'), 'half');
    expect(await removeStaleCheckpointTemps(path.join(runDir, 'checkpoints', 'latest'))).toEqual([stale]);
    expect(existsSync(stale)).toBe(false);
  });
});
