import * as tf from '@tensorflow/tfjs-core';
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rename } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { useCpu } from '../setup-backend.ts';
import { syntheticBatch } from '../synthetic.ts';
import { Ema } from '../../src/ema/ema.ts';
import { createAdam } from '../../src/train/optimizer.ts';
import { predictPatches, trainStep } from '../../src/train/train-step.ts';
import { createUNet } from '../../src/unet/unet.ts';
import { loadCheckpoint, restoreCheckpoint, saveCheckpoint } from '../../src/checkpoint/checkpoint.ts';

beforeAll(useCpu);
const here = dirname(fileURLToPath(import.meta.url));
const tiny = { widths: [2, 4], groups: 2, seed: 11 };

describe('checkpoints', () => {
  it('round trip restores identical predictions, EMA, Adam state (the next step matches) and plugin state', async () => {
    const root = await mkdtemp(join(tmpdir(), 'ckpt-'));
    const batch = syntheticBatch(2, 4, 9);
    const model = createUNet(tiny);
    const opt = createAdam(1e-2);
    const ema = new Ema(model, 0.9);
    for (let i = 0; i < 2; i++) {
      await trainStep(model, opt, batch);
      ema.update();
    }
    await saveCheckpoint(join(root, 'ck'), { model, optimizer: opt, ema, plugins: { sampler: { rngState: 42 }, clock: { elapsedMs: 1234 } } });

    // a fresh process would do exactly this:
    const loaded = await loadCheckpoint(join(root, 'ck'));
    expect(loaded.plugins).toEqual({ sampler: { rngState: 42 }, clock: { elapsedMs: 1234 } });
    expect(loaded.optimizer?.iterations).toBe(2);
    expect(loaded.ema?.updateCount).toBe(2);
    const model2 = createUNet(loaded.unet);
    const opt2 = createAdam(loaded.optimizer?.config.learningRate ?? 0);
    const ema2 = new Ema(model2, loaded.ema?.decay ?? 0);
    await restoreCheckpoint(loaded, { model: model2, optimizer: opt2, ema: ema2 });
    expect(await predictPatches(model2, batch)).toEqual(await predictPatches(model, batch));
    expect(await ema2.model.getWeights()).toEqual(await ema.model.getWeights());

    // Continuing both: identical step => Adam moments and step count were restored.
    const a = await trainStep(model, opt, batch);
    const b = await trainStep(model2, opt2, batch);
    expect(b.loss).toBe(a.loss);
    // Not bit-exact: tfjs Adam keeps beta^t as a running product, and setWeights recomputes it with pow().
    const wa = await model.getWeights();
    const wb = await model2.getWeights();
    let worst = 0;
    for (const [name, x] of wa) (wb.get(name) as Float32Array).forEach((v, i) => (worst = Math.max(worst, Math.abs(v - x[i]))));
    expect(worst).toBeLessThan(1e-6);
    [model, model2, ema, ema2, opt, opt2].forEach((x) => x.dispose());
  });

  it('writes the model in the standard tfjs weights format', async () => {
    const root = await mkdtemp(join(tmpdir(), 'ckpt-'));
    const model = createUNet(tiny);
    await saveCheckpoint(join(root, 'ck'), { model });
    const manifest = JSON.parse(await readFile(join(root, 'ck', 'model.json'), 'utf8'));
    const bin = await readFile(join(root, 'ck', manifest.weightsManifest[0].paths[0]));
    const decoded = tf.io.decodeWeights(bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength), manifest.weightsManifest[0].weights);
    const w = await model.getWeights();
    expect(Object.keys(decoded)).toEqual([...w.keys()]);
    expect(decoded['enc1/conv0/kernel'].dataSync()).toEqual(w.get('enc1/conv0/kernel'));
    expect(await readdir(root)).toEqual(['ck']); // no temporary folder left behind
    model.dispose();
  });

  it('a writer killed mid-write leaves the previous checkpoint loadable', async () => {
    const root = await mkdtemp(join(tmpdir(), 'ckpt-'));
    const dir = join(root, 'ck');
    const child = spawn(process.execPath, ['--import', 'tsx', join(here, '../checkpoint-writer.ts'), dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exit = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        if (d.toString().includes('WRITING')) resolve();
      });
      child.on('exit', () => reject(new Error(`writer exited early: ${stderr}`)));
    });
    child.kill('SIGKILL');
    expect(await exit).toBe('SIGKILL');
    const entries = await readdir(root);
    expect(entries.some((e) => e.startsWith('ck.tmp-'))).toBe(true); // B was half-way
    const loaded = await loadCheckpoint(dir);
    expect(loaded.plugins).toEqual({ tag: 'A' });
    expect(loaded.weights.get('head/bias')?.[0]).toBe(1);

    // A crash between the two renames leaves only `<dir>.prev`: still loadable.
    await rename(dir, `${dir}.prev`);
    expect((await loadCheckpoint(dir)).plugins).toEqual({ tag: 'A' });
  }, 60_000);

  it('names the folder and the problem when a checkpoint is missing or truncated', async () => {
    const root = await mkdtemp(join(tmpdir(), 'ckpt-'));
    await expect(loadCheckpoint(join(root, 'nope'))).rejects.toThrow(/nope\/state.json: not a readable checkpoint/);
    const model = createUNet(tiny);
    await saveCheckpoint(join(root, 'ck'), { model });
    const { writeFile } = await import('node:fs/promises');
    await writeFile(join(root, 'ck', 'model.weights.bin'), new Uint8Array(8));
    await expect(loadCheckpoint(join(root, 'ck'))).rejects.toThrow(/model.weights.bin: 8 bytes, the manifest in .*model.json needs/);
    model.dispose();
  });
});
