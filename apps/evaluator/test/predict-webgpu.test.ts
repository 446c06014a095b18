// `evaluator predict` and `evaluate` with `--backend webgpu`, as command lines (a process that
// Dawn kept alive would show as a timeout): the mask equals the wasm backend's up to voxels at the
// threshold. Runs on any WebGPU adapter (CI: Mesa's lavapipe); skips, loudly, without one.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readNifti, writeNifti } from '@lesionseg/data';
import { webgpuAvailability } from '@lesionseg/models';
import { tinyPhantom, writeTinyDataset, writeTinyRun } from './fixtures.ts';

const probe = await webgpuAvailability();
if (!probe.ok)
  console.warn(
    `\n!!! SKIPPED apps/evaluator/test/predict-webgpu.test.ts: no WebGPU adapter (${probe.reason}). Install a Vulkan driver (tools/gpu/install-lavapipe.sh) to run it.\n`,
  );

let root: string;
const f = (...p: string[]): string => join(root, ...p);

function cli(main: string, args: string[]): { status: number | null; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', main, '--quiet', ...args], {
    cwd: join(import.meta.dirname, '..'),
    env: { ...process.env, INIT_CWD: root, XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR ?? root },
    encoding: 'utf8',
    timeout: 180_000,
  });
  return { status: r.status, stderr: r.stderr };
}

describe.skipIf(!probe.ok)('evaluator with --backend webgpu', () => {
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'predict-webgpu-'));
    const p = tinyPhantom(7);
    await writeNifti(f('in/t1.nii.gz'), p.baseline, { datatype: 'int16' });
    await writeNifti(f('in/t2.nii.gz'), p.followup, { datatype: 'int16' });
    await writeTinyRun(f('run'), { spacingMm: 1, patchSize: 8 });
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('predict writes the same mask as wasm, up to voxels at the threshold', async () => {
    const common = ['--checkpoint', 'run', '--flair1', 'in/t1.nii.gz', '--flair2', 'in/t2.nii.gz'];
    const first = cli('src/predict-main.ts', [...common, '--backend', 'wasm', '--out', 'probe.nii.gz', '--probabilities', 'probe-prob.nii.gz']);
    expect(first.status, first.stderr).toBe(0);
    // A random network's probabilities sit near 0.5: threshold at their median, so the mask has both classes.
    const sorted = Float32Array.from((await readNifti(f('probe-prob.nii.gz'))).data).sort();
    const threshold = String(sorted[Math.floor(sorted.length / 2)]);
    const runs: Record<string, { mask: ArrayLike<number>; prob: ArrayLike<number> }> = {};
    for (const backend of ['wasm', 'webgpu']) {
      const r = cli('src/predict-main.ts', [
        ...common,
        '--backend',
        backend,
        '--threshold',
        threshold,
        '--out',
        `${backend}.nii.gz`,
        '--probabilities',
        `${backend}-prob.nii.gz`,
      ]);
      expect(r.status, r.stderr).toBe(0);
      if (backend === 'webgpu') expect(r.stderr).toMatch(/webgpu adapter: /);
      runs[backend] = { mask: (await readNifti(f(`${backend}.nii.gz`))).data, prob: (await readNifti(f(`${backend}-prob.nii.gz`))).data };
    }
    const { wasm, webgpu } = runs;
    let ones = 0;
    let maxDiff = 0;
    for (let i = 0; i < wasm.mask.length; i++) {
      ones += wasm.mask[i];
      maxDiff = Math.max(maxDiff, Math.abs(webgpu.prob[i] - wasm.prob[i]));
      if (webgpu.mask[i] !== wasm.mask[i]) expect(Math.abs(wasm.prob[i] - Number(threshold)), `voxel ${i}`).toBeLessThan(1e-5);
    }
    expect(ones).toBeGreaterThan(0);
    expect(ones).toBeLessThan(wasm.mask.length);
    expect(maxDiff).toBeLessThan(1e-5);
  }, 300_000);

  it('evaluate predicts and scores a dataset', async () => {
    await writeTinyDataset(f('data'), ['p1']);
    const r = cli('src/evaluate-main.ts', ['--checkpoint', 'run', '--data', 'data', '--out', 'eval', '--backend', 'webgpu']);
    expect(r.status, r.stderr).toBe(0);
    expect(existsSync(f('eval/predictions/p1.nii.gz'))).toBe(true);
    const results = JSON.parse(readFileSync(f('eval/results.json'), 'utf8')) as { patients: { patient?: string; id?: string }[] };
    expect(results.patients).toHaveLength(1);
  }, 300_000);
});
