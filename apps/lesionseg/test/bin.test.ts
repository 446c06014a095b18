/**
 * The `lesionseg` binary as users run it (node_modules/.bin/lesionseg, linked by `npm ci`), from
 * a folder outside the repository: the command list, generated help, exit codes.
 * (SIGTERM during `lesionseg train`: apps/trainer/test/interruption.test.ts.)
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BIN = path.join(ROOT, 'node_modules', '.bin', 'lesionseg');
const COMMANDS = ['train', 'compare', 'report', 'predict', 'evaluate', 'score', 'export', 'synth', 'info'];

interface Result {
  status: number | null;
  stdout: string;
  stderr: string;
}

function lesionseg(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Result> {
  const cwd = mkdtempSync(path.join(tmpdir(), 'lesionseg-bin-'));
  // No INIT_CWD from the `npm test` that runs this: the binary is started from a plain shell.
  const { INIT_CWD: _, ...base } = process.env;
  return new Promise((resolve, reject) => {
    const child = spawn(BIN, args, { cwd, env: { ...base, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

describe('the lesionseg binary', () => {
  it('--help lists every command', async () => {
    const r = await lesionseg(['--help']);
    expect(r.status, r.stderr).toBe(0);
    for (const c of COMMANDS) expect(r.stdout).toMatch(new RegExp(`^  ${c} +\\S`, 'm'));
  });

  it("each command's --help exits 0 and shows its options, generated from its spec", { timeout: 120_000 }, async () => {
    const results = await Promise.all(COMMANDS.map((c) => lesionseg([c, '--help'])));
    const expected: Record<string, string[]> = {
      train: ['--run DIR', '--resume', '--preset NAME', '--budget DURATION'],
      compare: ['--out DIR', '<repository>/runs/<timestamp>-compare', '--budget DURATION'],
      report: ['--run DIR', '--backend NAME', '--no-evaluate'],
      predict: ['--run DIR', '--flair1 FILE', '--patients SPEC', '--tta'],
      evaluate: ['--run DIR', '--data PATH', '--patients SPEC'],
      score: ['--gt PATH', '--pred PATH', '--patients SPEC'],
      export: ['--run DIR', '--out FILE'],
      synth: ['--out DIR', '--count N'],
      info: ['--json'],
    };
    results.forEach((r, i) => {
      const c = COMMANDS[i];
      expect(r.status, `${c}: ${r.stderr}`).toBe(0);
      expect(r.stdout).toContain(`Usage: lesionseg ${c} `);
      for (const flag of [...expected[c], '--quiet', '-h, --help']) expect(r.stdout, c).toContain(flag);
    });
  });

  it('a mistyped option exits 2 with "did you mean"; so does a mistyped command', async () => {
    const [option, command] = await Promise.all([lesionseg(['score', '--predd', 'x']), lesionseg(['scroe'])]);
    expect(option.status).toBe(2);
    expect(option.stderr).toContain('lesionseg score: unknown option --predd; did you mean --pred?');
    expect(command.status).toBe(2);
    expect(command.stderr).toContain('did you mean "score"?');
  });

  it('a missing input file exits 1 naming the file, without a stack', async () => {
    const r = await lesionseg(['score', '--gt', 'missing-gt.nii.gz', '--pred', 'missing-pred.nii.gz', '--out', 'r.json']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^lesionseg score: \S*missing-(gt|pred)\.nii\.gz: (ground truth|prediction) does not exist$/m); // whichever is checked first
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('a deprecated option spelling still works, with a warning naming the new one', async () => {
    const r = await lesionseg(['export', '--checkpoint', 'no-such-run', '--out', 'm.onnx']);
    expect(r.stderr).toContain('warning: --checkpoint is deprecated; use --run');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/no-such-run/);
  });

  it('an unexpected internal error prints its stack and exits 1', async () => {
    const r = await lesionseg(['synth', '--out', 'x'], { LESIONSEG_FAULT_INTERNAL_ERROR: 'synth' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/unexpected error.*\nTypeError: injected internal error in synth[^\n]*\n\s+at /s);
  });
});
