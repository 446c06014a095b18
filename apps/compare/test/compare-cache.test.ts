/**
 * trainer:compare through the preprocessed cache, with real children (the local executor, one
 * at a time): a tiny comparison (2 configurations, 2 iterations, a 2-level UNet of width 4 on
 * 8^3 patches of 16^3 phantoms) fills one entry per patient once, in the first training child;
 * the second training child and both evaluations read those entries and rewrite none.
 */
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultCacheDir } from '@lesionseg/data';
import { runTsxChild, type ChildJob } from '@lesionseg/executors';
import { workspaceRoot } from '@lesionseg/trainer';
import { parseCompareArgs } from '../src/compare-args.ts';
import { compare } from '../src/compare.ts';
import { tinyComparison } from './tiny-comparison.ts';

/** Every file of the cache (entries, and any lock or temporary file) with its mtime. */
function cacheFiles(cache: string): Record<string, number> {
  const out: Record<string, number> = {};
  let patients: string[] = [];
  try {
    patients = readdirSync(cache);
  } catch {
    return out;
  }
  for (const p of patients) for (const f of readdirSync(path.join(cache, p))) out[`${p}/${f}`] = statSync(path.join(cache, p, f)).mtimeMs;
  return out;
}

describe('trainer:compare through the preprocessed cache', () => {
  it('the first child builds one entry per patient, the second training and the evaluations read them', { timeout: 600_000 }, async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'lesionseg-compare-cache-'));
    const { data, args: tiny } = await tinyComparison(dir);
    const cache = defaultCacheDir(data);
    // What the cache holds as each child starts.
    const seen: { label: string; files: Record<string, number> }[] = [];
    const run = (job: ChildJob) => {
      seen.push({ label: job.label, files: cacheFiles(cache) });
      return runTsxChild(job);
    };
    const out = path.join(dir, 'cmp');
    const args = [...tiny, '--parallel', '1'];
    const r = await compare(parseCompareArgs([...args, '--presets', 'ohem-m0.9,oversample-p0.5', '--iterations', '2', '--out', out]), {
      workspaceRoot: workspaceRoot(),
      env: { INIT_CWD: dir },
      run,
      log: () => {},
      generateDefaultData: () => Promise.reject(new Error('no default data in tests')),
      progressOutput: { write: () => {}, isTTY: false },
    });
    expect(r.failed).toEqual([]);
    expect(seen.map((s) => s.label)).toEqual(['ohem-m0.9 training', 'oversample-p0.5 training', 'ohem-m0.9 evaluation', 'oversample-p0.5 evaluation']);

    // Before the first child: nothing. After it: one entry per patient, no lock or temporary file.
    expect(seen[0].files).toEqual({});
    const built = seen[1].files;
    expect(Object.keys(built).sort()).toEqual(['synth-001/snative-m8.lsc', 'synth-002/snative-m8.lsc', 'synth-003/snative-m8.lsc']);
    // The later children rewrote nothing: the same files with the same mtimes, to the end.
    for (const s of seen.slice(2)) expect(s.files).toEqual(built);
    expect(cacheFiles(cache)).toEqual(built);

    // The children's own accounts: 2 training + 1 validation patient built by the first, read by the second.
    const log = (name: string) => readFileSync(path.join(out, 'logs', `${name}-train.log`), 'utf8');
    expect(log('ohem-m0.9')).toContain(`training patients: 2 preprocessed into ${cache}, 0 read from it`);
    expect(log('ohem-m0.9')).toContain(`validation patients: 1 preprocessed into ${cache}, 0 read from it`);
    expect(log('oversample-p0.5')).toContain(`training patients: 0 preprocessed into ${cache}, 2 read from it`);
    expect(log('oversample-p0.5')).toContain(`validation patients: 0 preprocessed into ${cache}, 1 read from it`);
  });
});
