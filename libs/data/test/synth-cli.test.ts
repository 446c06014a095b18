import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { listPatients, loadPatient } from '../src/index.ts';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const run = (args: string[]) =>
  spawnSync(`${root}node_modules/.bin/tsx`, [`${root}libs/data/src/cli/synth.ts`, ...args], { encoding: 'utf8' });

describe('data:synth command line', () => {
  it('writes a dataset the loader reads, with progress on stderr, and refuses a non-empty folder', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'lesionseg-cli-')), 'ds');
    const r = run(['--out', out, '--patients', '2', '--seed', '9', '--preset', 'quick', '--shape', '24,24,20', '--no-lesion-prob', '0']);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/\[#+\] 2\/2 synth-002/);
    const files = await listPatients(out);
    expect(files.map((f) => f.id)).toEqual(['synth-001', 'synth-002']);
    const p = await loadPatient(files[0]);
    expect(p.baseline.shape).toEqual([24, 24, 20]);
    const again = run(['--out', out, '--patients', '1']);
    expect(again.status).toBe(2);
    expect(again.stderr).toMatch(/is not empty \(use --force/);
  });

  it('prints help and rejects bad options with a message naming them', () => {
    const help = run(['--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/--patients N/);
    const bad = run(['--out', '/tmp/x', '--preset', 'huge']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--preset must be one of realistic, quick, got "huge"/);
  });
});
