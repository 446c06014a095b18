/**
 * Fault 3 of issue 12: --resume must give the unsplit run bit for bit, with the real runtime
 * (UNet + Adam + EMA on the cpu backend, patches from phantoms on disk). Adam's beta^t used to
 * be recomputed with pow on resume while the running optimizer multiplies in float32, so runs
 * split past t = 100 drifted by ~1e-7.
 */
import { readdirSync, readFileSync } from 'node:fs';
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
  it(`a run stopped at iterations 1, 57 and 104 and resumed each time ends with every .bin byte of the unsplit ${ITERATIONS}-iteration run`, { timeout: 300_000 }, async () => {
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
  });
});
