/**
 * Fault 3 of issue 12: --resume must give the unsplit run bit for bit, with the real runtime
 * (UNet + Adam + EMA on the cpu backend, patches from phantoms on disk). Adam's beta^t used to
 * be recomputed with pow on resume while the running optimizer multiplies in float32, so runs
 * split past t = 100 drifted by ~1e-7.
 */
import { cpSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCli } from '../src/cli/args.ts';
import { createRealRuntime } from '../src/adapters/real-runtime.ts';
import { train, type TrainDeps } from '../src/train.ts';
import { tinySetup } from './process-harness.ts';

const ITERATIONS = 130;

function deps(root: string, stopAt: number | null): TrainDeps {
  let signal: ((s: string) => void) | null = null;
  return {
    env: { INIT_CWD: root },
    workspaceRoot: root,
    createRuntime: (request) => createRealRuntime(request, () => {}),
    onSignals: (handler) => {
      signal = handler;
      return () => (signal = null);
    },
    hooks: stopAt === null ? [] : [{ name: 'stop-at', afterStep: (ctx) => void (ctx.iteration === stopAt && signal?.('SIGINT')) }],
    progressOutput: { write: () => {}, isTTY: false },
    log: () => {},
  };
}

function bins(runDir: string): Map<string, Buffer> {
  const dir = path.join(runDir, 'checkpoints', 'latest');
  const out = new Map<string, Buffer>();
  for (const f of readdirSync(dir)) if (f.endsWith('.bin')) out.set(f, readFileSync(path.join(dir, f)));
  return out;
}

const losses = (runDir: string) =>
  readFileSync(path.join(runDir, 'events.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { type: string; loss?: number })
    .filter((e) => e.type === 'stepDone')
    .map((e) => e.loss);

describe('--resume with the real runtime (fault 3)', () => {
  it(
    `a run stopped at iterations 1, 57 and 104 and resumed each time ends with every .bin byte of the unsplit ${ITERATIONS}-iteration run`,
    { timeout: 300_000 },
    async () => {
      const { dir, config } = await tinySetup(ITERATIONS);
      const full = path.join(dir, 'full');
      expect((await train(parseCli(['--config', config, '--out', full]), deps(dir, null))).exitCode).toBe(0);

      const split = path.join(dir, 'split');
      expect((await train(parseCli(['--config', config, '--out', split]), deps(dir, 1))).exitCode).toBe(130);
      expect((await train(parseCli(['--resume', split]), deps(dir, 57))).exitCode).toBe(130);
      expect((await train(parseCli(['--resume', split]), deps(dir, 104))).exitCode).toBe(130);
      expect((await train(parseCli(['--resume', split]), deps(dir, null))).exitCode).toBe(0);

      const a = bins(full);
      const b = bins(split);
      expect([...b.keys()].sort()).toEqual(['ema.weights.bin', 'model.weights.bin', 'optimizer.weights.bin']);
      for (const [name, bytes] of a) expect(Buffer.compare(bytes, b.get(name) as Buffer), name).toBe(0);
      expect(losses(split)).toEqual(losses(full));
    },
  );
});

describe('checkpoints written before the EMA hook / trainable / checkpoint store split', () => {
  // fixtures/pre-split-run: 3 iterations of tiny.json (OHEM, constant LR) by the trainer at d7482a0,
  // before UNetTraining was split; its config.json names the phantoms of tinySetup by another path.
  const FIXTURE = path.join(import.meta.dirname, 'fixtures', 'pre-split-run');

  it('resume to the same bytes as an unsplit run of today', { timeout: 300_000 }, async () => {
    const { dir, data } = await tinySetup(6);
    const old = path.join(dir, 'old');
    cpSync(FIXTURE, old, { recursive: true });
    const config = JSON.parse(readFileSync(path.join(old, 'config.json'), 'utf8')) as Record<string, Record<string, unknown>>;
    config['data']['path'] = data;
    config['budget'] = { type: 'iterations', iterations: 6 };
    writeFileSync(path.join(old, 'config.json'), JSON.stringify(config));
    writeFileSync(path.join(dir, 'six.json'), JSON.stringify(config));
    expect((await train(parseCli(['--resume', old]), deps(dir, null))).exitCode).toBe(0);
    const full = path.join(dir, 'full');
    expect((await train(parseCli(['--config', path.join(dir, 'six.json'), '--out', full]), deps(dir, null))).exitCode).toBe(0);
    const a = bins(full);
    const b = bins(old);
    expect([...b.keys()].sort()).toEqual(['ema.weights.bin', 'model.weights.bin', 'optimizer.weights.bin']);
    for (const [name, bytes] of a) expect(Buffer.compare(bytes, b.get(name) as Buffer), name).toBe(0);
    expect(losses(old)).toEqual(losses(full));
  });
});
