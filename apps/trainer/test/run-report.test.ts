import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../src/cli/args.ts';
import type { ChildJob } from '@lesionseg/executors';
import { parseRunReportArgs, runReport } from '../src/report/run-report.ts';

async function runFolder(): Promise<string> {
  const root = await mkdtemp(path.join(tmpdir(), 'run-report-'));
  const dir = path.join(root, 'run');
  await mkdir(dir);
  const lines = [
    { type: 'stepDone', iteration: 5, elapsedMs: 1000, loss: 1, lr: 1e-3 },
    { type: 'validationDone', iteration: 5, elapsedMs: 1000, dice: 0.42 },
  ];
  await writeFile(path.join(dir, 'events.jsonl'), lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
  await writeFile(path.join(dir, 'config.json'), '{"name":"quick"}');
  return root;
}

describe('trainer:report', () => {
  it('requires --run and validates --figures', () => {
    expect(() => parseRunReportArgs([])).toThrow(UsageError);
    expect(() => parseRunReportArgs(['--run', 'x', '--figures', 'many'])).toThrow('--figures needs a non-negative integer, got "many"');
    expect(parseRunReportArgs(['--run', 'x', '--no-evaluate']).evaluate).toBe(false);
  });

  it('evaluates the validation split through the evaluator, then writes the report', async () => {
    const root = await runFolder();
    const jobs: ChildJob[] = [];
    const logged: string[] = [];
    const report = await runReport(parseRunReportArgs(['--run', 'run', '--data', 'd']), {
      workspaceRoot: '/ws',
      env: { INIT_CWD: root },
      defaultDataDir: '/ws/data/phantoms',
      log: (l) => logged.push(l),
      run: (job) => {
        jobs.push(job);
        job.onLine?.('predict [######......] 1/4 synth-003');
        return Promise.resolve({ exitCode: 0, ms: 1, tail: [] });
      },
    });
    expect(jobs).toHaveLength(1);
    expect(jobs[0].script).toBe('/ws/apps/evaluator/src/evaluate-main.ts');
    expect(jobs[0].args).toEqual([
      '--run',
      path.join(root, 'run'),
      '--data',
      path.join(root, 'd'),
      '--out',
      path.join(root, 'run', 'evaluation'),
      '--patients',
      `${path.join(root, 'run', 'split.json')}:validation`,
    ]);
    const html = await readFile(report, 'utf8');
    expect(html).toContain('<h2>Training curves</h2>');
    expect(html).not.toContain('Per patient'); // the fake evaluator wrote no results
    // the evaluator's progress reaches the console as it comes
    expect(logged).toContain('  evaluate: predict [######......] 1/4 synth-003');
  });

  it('a failed evaluation is an error with the evaluator output', async () => {
    const root = await runFolder();
    await expect(
      runReport(parseRunReportArgs(['--run', 'run']), {
        workspaceRoot: '/ws',
        env: { INIT_CWD: root },
        defaultDataDir: '/ws/data',
        log: () => {},
        run: () => Promise.resolve({ exitCode: 1, ms: 1, tail: ['no checkpoint in run/checkpoints/best'] }),
      }),
    ).rejects.toThrow(/evaluation failed \(exit 1\):\n {2}no checkpoint/);
  });
});
