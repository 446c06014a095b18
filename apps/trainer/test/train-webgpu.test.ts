/**
 * `trainer:train --backend webgpu` end to end (the CLI in a child process, so that a process
 * kept alive by Dawn would show as a timeout): a tiny OHEM run of 5 iterations with validation
 * trains the same as `--backend cpu` within float32 tolerance. Runs on any WebGPU adapter (CI:
 * Mesa's lavapipe); skips, loudly, without one.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { webgpuAvailability } from '@lesionseg/models';
import { generatePhantoms } from '../src/adapters/dataset.ts';
import { tempDir } from './harness.ts';

const probe = await webgpuAvailability();
if (!probe.ok)
  console.warn(
    `\n!!! SKIPPED apps/trainer/test/train-webgpu.test.ts: no WebGPU adapter (${probe.reason}). Install a Vulkan driver (tools/gpu/install-lavapipe.sh) to run it.\n`,
  );

const root = tempDir('lesionseg-train-webgpu-');
afterAll(() => rmSync(root, { recursive: true, force: true }));

const CONFIG = {
  name: 'tiny-webgpu',
  seed: 4,
  budget: { type: 'iterations', iterations: 5 },
  data: { type: 'msseg2', validationFraction: 0.34, spacingMm: null, patchSize: 8 },
  model: { type: 'unet', widths: [4, 8], groups: 2, workers: 0 },
  loss: { type: 'bce' },
  optimizer: { type: 'adam' },
  lrSchedule: { type: 'step', initialLr: 3e-3, milestones: [{ at: 0.5, factor: 0.1 }] },
  ema: { type: 'ema', decay: 0.5 },
  // OHEM: every step also scores candidates with the EMA model (the scoring path on the GPU).
  strategy: { type: 'ohem', candidates: 8, positiveFraction: 0.3, batchSize: 4 },
  validation: { type: 'dice', everyIterations: 5, model: 'ema', maxPatients: 1 },
  checkpoint: { type: 'interval', everySeconds: 3600 },
  loggers: [{ type: 'jsonl' }],
};

function train(backend: string): { status: number | null; stderr: string; losses: number[]; dice: number[] } {
  const out = path.join(root, `run-${backend}`);
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', 'src/main.ts', '--config', path.join(root, 'config.json'), '--data', path.join(root, 'data'), '--out', out, '--backend', backend],
    {
      cwd: path.join(import.meta.dirname, '..'),
      encoding: 'utf8',
      timeout: 240_000,
      env: { ...process.env, XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR ?? root },
    },
  );
  const events =
    r.status === 0
      ? readFileSync(path.join(out, 'events.jsonl'), 'utf8')
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l) as { type: string; loss?: number; dice?: number })
      : [];
  return {
    status: r.status,
    stderr: r.stderr,
    losses: events.filter((e) => e.type === 'stepDone').map((e) => e.loss as number),
    dice: events.filter((e) => e.type === 'validationDone').map((e) => e.dice as number),
  };
}

describe.skipIf(!probe.ok)('trainer:train --backend webgpu', () => {
  it('runs 5 OHEM iterations with validation, exits by itself, and trains the same as cpu', async () => {
    // 40^3: the smallest phantoms with lesions; seed 4 puts synth-003 (135 lesion voxels) in validation.
    await generatePhantoms(path.join(root, 'data'), 4, 40, () => {});
    writeFileSync(path.join(root, 'config.json'), JSON.stringify(CONFIG));
    const gpu = train('webgpu');
    expect(gpu.status, gpu.stderr).toBe(0); // null would be the 240 s timeout: a process Dawn kept alive
    expect(gpu.stderr).toMatch(/backend: webgpu \(requested; tfjs backend "webgpu"\)/);
    expect(gpu.stderr).toMatch(/webgpu adapter: .* \/ .* \/ .*; maxStorageBufferBindingSize/);
    const cpu = train('cpu');
    expect(cpu.status, cpu.stderr).toBe(0);
    expect(gpu.losses).toHaveLength(5);
    expect(cpu.losses).toHaveLength(5);
    // The losses move (it trains) and agree step by step within float32 tolerance.
    expect(gpu.losses[0]).not.toBe(gpu.losses[4]);
    gpu.losses.forEach((l, i) => expect(Math.abs(l - cpu.losses[i]) / cpu.losses[i], `step ${i + 1}`).toBeLessThan(1e-3));
    expect(gpu.dice).toHaveLength(1);
    expect(Number.isFinite(gpu.dice[0])).toBe(true);
    expect(Math.abs(gpu.dice[0] - cpu.dice[0])).toBeLessThan(1e-2);
    console.log(
      `webgpu vs cpu losses: ${gpu.losses.map((l, i) => `${l.toFixed(5)}/${cpu.losses[i].toFixed(5)}`).join(' ')}; val Dice ${gpu.dice[0]}/${cpu.dice[0]}`,
    );
  }, 600_000);
});
