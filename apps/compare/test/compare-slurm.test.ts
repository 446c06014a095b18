/**
 * trainer:compare through the real local Slurm (tools/slurm/local-slurm.sh; skipped loudly
 * without it): a tiny comparison (2 configurations x 2 seeds, an iteration budget, a 2-level
 * UNet of width 4 on 8^3 patches of 16^3 phantoms) gives the local executor's numbers, and a
 * training cancelled with scancel is reported and finished by --resume.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createExecutor, probeSlurm, runTsxChild, skipSlurmLoudly, type SlurmExecutor } from '@lesionseg/executors';
import { workspaceRoot } from '@lesionseg/trainer';
import { parseCompareArgs } from '../src/compare-args.ts';
import { compare, type CompareDeps } from '../src/compare.ts';
import { trainingFinished } from '../src/tasks.ts';
import { tinyComparison } from './tiny-comparison.ts';

const slurm = probeSlurm();
skipSlurmLoudly('the trainer:compare-through-Slurm tests', slurm);

const ROOT = workspaceRoot();
let dir = '';
let common: string[] = [];

beforeAll(async () => {
  if (!slurm.ok) return;
  dir = mkdtempSync(path.join(os.tmpdir(), 'lesionseg-compare-slurm-'));
  common = [...(await tinyComparison(dir)).args, '--parallel', '2'];
});

function deps(log: string[], executor?: CompareDeps['executor']): CompareDeps {
  const quiet = { write: () => {}, isTTY: false };
  return {
    workspaceRoot: ROOT,
    env: { INIT_CWD: dir },
    run: runTsxChild,
    log: (l) => log.push(l),
    generateDefaultData: () => Promise.reject(new Error('no default data in tests')),
    progressOutput: quiet,
    executor,
  };
}

/** What must not depend on the executor: every step's loss and every patient's scores. */
function numbers(outDir: string, run: string) {
  const losses = readFileSync(path.join(outDir, run, 'metrics.csv'), 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split(',')[3]);
  const results = JSON.parse(readFileSync(path.join(outDir, run, 'evaluation', 'results.json'), 'utf8')) as { patients: unknown[]; summary: unknown };
  // file paths name the comparison folder; everything else must match
  const patients = results.patients.map((p) => Object.fromEntries(Object.entries(p as object).filter(([k]) => !k.endsWith('File'))));
  return { losses, patients, summary: results.summary };
}

describe.skipIf(!slurm.ok)('trainer:compare on the local Slurm', () => {
  it('2 configurations x 2 seeds through a Slurm array give the local executor’s losses and scores', async () => {
    const args = [...common, '--presets', 'ohem-m0.9,oversample-p0.5', '--seeds', '1,2', '--iterations', '2'];
    const local = path.join(dir, 'local');
    const viaSlurm = path.join(dir, 'slurm');
    const [a, b] = [
      await compare(parseCompareArgs([...args, '--out', local]), deps([])),
      await compare(parseCompareArgs([...args, '--out', viaSlurm, '--executor', 'slurm']), deps([])),
    ];
    expect([a.failed, b.failed]).toEqual([[], []]);
    expect(existsSync(path.join(viaSlurm, 'slurm', 'lesionseg-train.sbatch.sh'))).toBe(true);
    for (const run of ['ohem-m0.9-s1', 'ohem-m0.9-s2', 'oversample-p0.5-s1', 'oversample-p0.5-s2']) {
      const n = numbers(viaSlurm, run);
      expect(n.losses).toHaveLength(2);
      expect(n, run).toEqual(numbers(local, run));
    }
    expect(numbers(local, 'ohem-m0.9-s1').losses).not.toEqual(numbers(local, 'ohem-m0.9-s2').losses); // the seed matters
    expect(readFileSync(path.join(viaSlurm, 'table.md'), 'utf8')).toContain('| ohem-m0.9 (2 seeds)');
  }, 600_000);

  it('a training cancelled with scancel is reported by name with its log; --resume finishes it from its checkpoint', async () => {
    const out = path.join(dir, 'cancel');
    const args = [...common, '--presets', 'oversample-p0', '--seeds', '7', '--iterations', '40', '--out', out, '--executor', 'slurm'];
    const runDir = path.join(out, 'oversample-p0-s7');
    let executor: SlurmExecutor | null = null;
    const log: string[] = [];
    const cancelWhenStepped = setInterval(() => {
      const events = path.join(runDir, 'events.jsonl');
      if (executor?.jobId && existsSync(events) && readFileSync(events, 'utf8').includes('"stepDone"')) {
        execFileSync('scancel', [executor.jobId]);
        clearInterval(cancelWhenStepped);
      }
    }, 100);
    const first = await compare(
      parseCompareArgs(args),
      deps(log, (choice, workDir, jobName) => {
        const e = createExecutor(choice, { workDir, jobName, pollMs: 200 });
        if (jobName === 'lesionseg-train') executor = e as SlurmExecutor;
        return e;
      }),
    );
    clearInterval(cancelWhenStepped);
    expect(first.failed).toEqual(['oversample-p0-s7']);
    expect(log.join('\n')).toMatch(/\[training\] oversample-p0-s7 training failed \(exit 143\):\n {2}/);
    expect(log.join('\n')).toContain('checkpoint saved');
    expect(trainingFinished(runDir)).toBe(false);
    const events = () => readFileSync(path.join(runDir, 'events.jsonl'), 'utf8');
    expect(events()).toContain('"reason":"interrupted"');

    const again = await compare(parseCompareArgs([...args, '--resume']), deps([]));
    expect(again.failed).toEqual([]);
    expect(trainingFinished(runDir)).toBe(true);
    expect(events()).toContain('"iteration":40,');
    expect(existsSync(path.join(runDir, 'evaluation', 'results.json'))).toBe(true);
  }, 600_000);

  it('Ctrl-C (SIGINT) of a running compare scancels its array, waits for it, exits 130 and leaves the runs resumable', async () => {
    const out = path.join(dir, 'sigint');
    const args = [...common, '--presets', 'oversample-p0', '--seeds', '5,6', '--iterations', '1000', '--out', out, '--executor', 'slurm'];
    // Slow steps (the trainer's fault injection) keep the trainings running until the signal.
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'apps/compare/src/main.ts'), ...args], {
      cwd: ROOT,
      env: { ...process.env, LESIONSEG_FAULT_STEP_MS: '200' },
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => void (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => void (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    const stepped = (name: string) => {
      const events = path.join(out, name, 'events.jsonl');
      return existsSync(events) && readFileSync(events, 'utf8').includes('"stepDone"');
    };
    while (!(stepped('oversample-p0-s5') && stepped('oversample-p0-s6'))) {
      if (child.exitCode !== null) throw new Error(`compare ended before the signal:\n${stderr}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    const jobId = /submitted Slurm job array (\d+) \(2 task\(s\), 2 at a time/.exec(stderr)?.[1];
    expect(jobId, stderr).toBeDefined();
    child.kill('SIGINT');
    expect(await exited, stderr).toBe(130);
    expect(stderr).toContain(`cancelling Slurm job array ${jobId} (scancel)`);
    expect(stderr).toContain('interrupted during training: its tasks were stopped (run folders kept; --resume finishes them)');
    expect(execFileSync('squeue', ['-h', '-r', '-j', jobId as string, '-o', '%i'], { encoding: 'utf8' }).trim()).toBe('');
    for (const name of ['oversample-p0-s5', 'oversample-p0-s6']) {
      const runDir = path.join(out, name);
      expect(readFileSync(path.join(runDir, 'events.jsonl'), 'utf8')).toContain('"reason":"interrupted"');
      expect(existsSync(path.join(runDir, 'checkpoints', 'latest')), name).toBe(true);
      expect(trainingFinished(runDir)).toBe(false);
    }
    expect(existsSync(path.join(out, 'report.html'))).toBe(false); // no report of a half-run comparison
  }, 600_000);
});
