import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { listPatients, loadPatient } from '@lesionseg/data';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const run = (args: string[], o: { cwd?: string; initCwd?: string } = {}) =>
  spawnSync(`${root}node_modules/.bin/tsx`, [`${root}apps/lesionseg/src/synth-main.ts`, ...args], {
    encoding: 'utf8',
    cwd: o.cwd,
    env: { ...process.env, INIT_CWD: o.initCwd ?? '' },
  });
const SMALL = ['--count', '1', '--preset', 'quick', '--shape', '16,16,16'];

describe('lesionseg synth / data:synth command line', () => {
  it('writes a dataset the loader reads, with progress on stderr, and refuses a non-empty folder', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'lesionseg-cli-')), 'ds');
    const r = run(['--out', out, '--patients', '2', '--seed', '9', '--preset', 'quick', '--shape', '24,24,20', '--no-lesion-prob', '0']);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('--patients is deprecated; use --count'); // a count is --count; --patients is a selection elsewhere
    expect(r.stderr).toMatch(/\[#+\] 2\/2 synth-002/);
    const files = await listPatients(out);
    expect(files.map((f) => f.id)).toEqual(['synth-001', 'synth-002']);
    const p = await loadPatient(files[0]);
    expect(p.baseline.shape).toEqual([24, 24, 20]);
    const again = run(['--out', out, '--count', '1']);
    expect(again.status).toBe(2);
    expect(again.stderr).toMatch(/is not empty \(use --force/);
  });

  it('prints help and rejects bad options with a message naming them', () => {
    const help = run(['--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/--count N\s+number of patients \(default: 10; old spelling: --patients\)/);
    const bad = run(['--out', '/tmp/x', '--preset', 'huge']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--preset must be one of realistic, quick, got "huge"/);
  });

  it('resolves a relative --out against the folder the user typed the command in (INIT_CWD under nx/npx; issue 16 bug 3)', () => {
    const user = mkdtempSync(join(tmpdir(), 'lesionseg-user-'));
    const repo = mkdtempSync(join(tmpdir(), 'lesionseg-repo-')); // where nx runs the command
    const r = run(['--out', 'data/mine', ...SMALL], { cwd: repo, initCwd: user });
    expect(r.status, r.stderr).toBe(0);
    expect(existsSync(join(user, 'data/mine/synth-001', 'ground_truth.nii.gz'))).toBe(true);
    expect(existsSync(join(repo, 'data'))).toBe(false);
    expect(r.stderr).toContain(`-> ${join(user, 'data/mine')}`);
    // Without INIT_CWD (tsx run directly) the process's own folder is the user's.
    expect(run(['--out', 'here', ...SMALL], { cwd: repo }).status).toBe(0);
    expect(existsSync(join(repo, 'here/dataset.json'))).toBe(true);
  });

  it('a huge --shape is a usage error naming the option, not an uncaught RangeError (issue 12, fault 18)', () => {
    const r = run(['--out', join(mkdtempSync(join(tmpdir(), 'lesionseg-huge-')), 'ds'), '--count', '1', '--shape', '100000,100000,100000']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^lesionseg synth: phantom option shape = \[100000,100000,100000\]: needs at most 67108864 voxels/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('an --out that cannot be written fails with exit 1 and the file named, not an uncaught stack trace (fault 18)', () => {
    const base = mkdtempSync(join(tmpdir(), 'lesionseg-ro-'));
    writeFileSync(join(base, 'file'), 'x'); // a folder cannot be made inside a file, even by root
    const r = run(['--out', join(base, 'file', 'ds'), ...SMALL]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(
      new RegExp(`lesionseg synth: ${join(base, 'file', 'ds')}/synth-001/flair_time01_on_middle_space\\.nii\\.gz: cannot write file \\(ENOTDIR`),
    );
    expect(r.stderr).not.toMatch(/\n\s+at /);
    if (process.getuid?.() !== 0) {
      // A read-only folder (root ignores permissions, so this half runs in CI only).
      mkdirSync(join(base, 'ro'), { mode: 0o555 });
      const ro = run(['--out', join(base, 'ro', 'ds'), ...SMALL]);
      expect(ro.status).toBe(1);
      expect(ro.stderr).toMatch(/cannot write file \(EACCES/);
    }
  });
});
