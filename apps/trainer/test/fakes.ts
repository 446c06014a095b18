import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Clock } from '@lesionseg/config';
import type { PatchBatch, PatchKind, PatchScorer, PatchSource, Random, StatefulRandom } from '@lesionseg/strategies';
import { Mulberry32 } from '@lesionseg/data';
import type { EmaPlugin, ModelStore, StepResult, Trainable, TrainerState, Validator, ValidationResult } from '../src/core/types.ts';

/** Time moves only when a fake says so. */
export class FakeClock implements Clock {
  t = 0;
  now(): number {
    return this.t;
  }
  advance(ms: number): void {
    this.t += ms;
  }
}

/** mulberry32 with saveable state. (the data library's, under the name the tests use) */
export class TestRandom extends Mulberry32 implements StatefulRandom {}

const SHAPE = [2, 2, 2] as const;
const V = 8;

/** Patches whose content depends only on the generator: positive ones are brighter and hold a lesion voxel. */
export class FakeSource implements PatchSource {
  sample(kinds: readonly PatchKind[], random: Random): Promise<PatchBatch> {
    const n = kinds.length;
    const images = new Float32Array(n * V * 2);
    const masks = new Float32Array(n * V);
    const drawnPositive = new Uint8Array(n);
    const containsLesion = new Uint8Array(n);
    kinds.forEach((kind, i) => {
      const lesion = kind === 'positive' || random.next() < 0.05;
      const level = (lesion ? 1 : 0) + random.next();
      images.fill(level, i * V * 2, (i + 1) * V * 2);
      if (lesion) masks.fill(1, i * V, i * V + 4);
      drawnPositive[i] = kind === 'positive' ? 1 : 0;
      containsLesion[i] = lesion ? 1 : 0;
    });
    return Promise.resolve({ images, masks, count: n, shape: SHAPE, channels: 2, drawnPositive, containsLesion });
  }
}

function features(batch: PatchBatch, p: number): { x: number; y: number } {
  let x = 0;
  let y = 0;
  for (let i = 0; i < V * 2; i++) x += batch.images[p * V * 2 + i];
  for (let i = 0; i < V; i++) y += batch.masks[p * V + i];
  return { x: x / (V * 2), y: y / V };
}

/**
 * A deterministic stand-in for UNet + Adam + EMA: a linear model y ~ a*x + b with a momentum
 * optimizer, its moving average, per-patch squared error as the loss, and a store that writes
 * all of it (and the trainer state) to disk atomically. Each train step costs `stepMs` on the
 * fake clock.
 */
export class FakeModel implements Trainable, EmaPlugin, PatchScorer, ModelStore {
  w = [0.3, -0.1];
  m = [0, 0];
  ema = [0.3, -0.1];
  steps = 0;

  constructor(
    readonly decay: number,
    private readonly clock: FakeClock,
    private readonly stepMs = 10,
  ) {}

  trainStep(batch: PatchBatch, lr: number): Promise<StepResult> {
    let loss = 0;
    const g = [0, 0];
    for (let p = 0; p < batch.count; p++) {
      const { x, y } = features(batch, p);
      const r = this.w[0] * x + this.w[1] - y;
      loss += r * r;
      g[0] += 2 * r * x;
      g[1] += 2 * r;
    }
    for (let k = 0; k < 2; k++) {
      this.m[k] = 0.9 * this.m[k] + 0.1 * (g[k] / batch.count);
      this.w[k] -= lr * 100 * this.m[k];
    }
    this.steps++;
    this.clock.advance(this.stepMs);
    return Promise.resolve({ loss: loss / batch.count });
  }

  update(): Promise<void> {
    for (let k = 0; k < 2; k++) this.ema[k] = this.decay * this.ema[k] + (1 - this.decay) * this.w[k];
    return Promise.resolve();
  }

  scorePatches(batch: PatchBatch): Promise<Float32Array> {
    const out = new Float32Array(batch.count);
    for (let p = 0; p < batch.count; p++) {
      const { x, y } = features(batch, p);
      const r = this.ema[0] * x + this.ema[1] - y;
      out[p] = r * r;
    }
    return Promise.resolve(out);
  }

  async save(dir: string, state: TrainerState): Promise<void> {
    const tmp = `${dir}.tmp`;
    await rm(tmp, { recursive: true, force: true });
    await mkdir(tmp, { recursive: true });
    await writeFile(path.join(tmp, 'fake-model.json'), JSON.stringify({ w: this.w, m: this.m, ema: this.ema, steps: this.steps, state }));
    await rm(dir, { recursive: true, force: true });
    await rename(tmp, dir);
  }

  async load(dir: string): Promise<TrainerState> {
    const saved = JSON.parse(await readFile(path.join(dir, 'fake-model.json'), 'utf8')) as {
      w: number[];
      m: number[];
      ema: number[];
      steps: number;
      state: TrainerState;
    };
    this.w = saved.w;
    this.m = saved.m;
    this.ema = saved.ema;
    this.steps = saved.steps;
    return saved.state;
  }
}

/** Validation that costs `costMs` of wall time (which must not count as training time) and returns scripted Dice values. */
export class ScriptedValidator implements Validator {
  calls: { iteration: number; elapsedMs: number }[] = [];
  constructor(
    private readonly clock: FakeClock,
    private readonly dice: (call: number) => number,
    private readonly costMs = 500,
  ) {}
  validate(at: { iteration: number; elapsedMs: number }): Promise<ValidationResult> {
    this.calls.push(at);
    this.clock.advance(this.costMs);
    const dice = this.dice(this.calls.length - 1);
    return Promise.resolve({ dice, perPatient: [{ patient: 'p1', dice }], model: 'ema' });
  }
}
