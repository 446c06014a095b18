import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { listPatients, phantomOptions, writeSyntheticDataset } from '@lesionseg/data';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const run = (args: string[]) =>
  spawnSync(`${root}node_modules/.bin/tsx`, [`${root}apps/lesionseg/src/preprocess-main.ts`, ...args], {
    encoding: 'utf8',
    env: { ...process.env, INIT_CWD: '' },
  });

describe('lesionseg preprocess / data:preprocess command line', () => {
  it('fills the cache with two worker threads and a progress bar; a second run reuses every entry', async () => {
    const data = mkdtempSync(join(tmpdir(), 'lesionseg-pre-'));
    await writeSyntheticDataset(data, { patients: 3, seed: 2, phantom: phantomOptions('quick', { shape: [20, 20, 18] }) });
    const first = run(['--data', data, '--spacing', '1', '--patch', '4', '--workers', '2']);
    expect(first.stderr).toMatch(/\[#+\] 3\/3 synth-00\d/);
    expect(first.stderr).toContain('3 built, 0 already cached, 0 failed');
    expect(first.status).toBe(0);
    for (const f of await listPatients(data)) expect(existsSync(join(data, '.lesionseg', 'cache', f.id, 's1-m4.lsc'))).toBe(true);
    // The cache folder inside the dataset is not read as a patient.
    expect((await listPatients(data)).length).toBe(3);
    const second = run(['--data', data, '--spacing', '1', '--patch', '4']);
    expect(second.stderr).toContain('0 built, 3 already cached, 0 failed');
    expect(second.status).toBe(0);
    const elsewhere = mkdtempSync(join(tmpdir(), 'lesionseg-pre-cache-'));
    expect(run(['--data', data, '--spacing', '1', '--patch', '4', '--cache', elsewhere]).status).toBe(0);
    expect(existsSync(join(elsewhere, 'synth-001', 's1-m4.lsc'))).toBe(true);
  }, 120_000);

  it('rejects bad options with exit 2 and a message naming them', () => {
    const r = run(['--data', '/tmp', '--workers', '0']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--workers needs a positive integer, got "0"/);
    expect(run(['--spacing', '0.5']).stderr).toMatch(/--data is required/);
  });
});
