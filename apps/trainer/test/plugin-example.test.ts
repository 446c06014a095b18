/**
 * The worked example of docs/plugins.md: the loss-proportional strategy
 * (libs/strategies/src/loss-proportional.ts) is bound by name and selected from a config file,
 * with no change to the core loop. Keep this file and the guide in step.
 */
import { readFileSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Container } from 'inversify';
import { describe, expect, it } from 'vitest';
import { resolve } from '@lesionseg/events';
import { builtinStrategies, LossProportionalStrategy } from '@lesionseg/strategies';
import { parseCli } from '../src/cli/args.ts';
import { parseConfig } from '../src/config/config.ts';
import { presetConfig } from '../src/config/presets.ts';
import { composeTrainer } from '../src/di/compose.ts';
import { TOKENS } from '../src/di/tokens.ts';
import { train } from '../src/train.ts';
import { fakeDeps, fakeRuntimeFactory } from './fake-runtime.ts';
import { FakeClock } from './fakes.ts';
import { tempDir } from './harness.ts';

describe('docs/plugins.md worked example: loss-proportional sampling', () => {
  const raw = { ...presetConfig('ohem-m0.9'), strategy: { type: 'loss-proportional', candidates: 64, batchSize: 16, power: 2 } };

  it('is bound by name in the container and resolved from the config type', async () => {
    const config = parseConfig(raw);
    const runtime = await fakeRuntimeFactory(new FakeClock())({ config, runDir: tempDir(), dataDir: '', split: null });
    const c = new Container();
    composeTrainer(c, { config, runDir: tempDir(), runtime });
    const strategy = resolve(c, TOKENS.Strategy);
    expect(strategy).toBeInstanceOf(LossProportionalStrategy);
    expect(builtinStrategies().types()).toContain('loss-proportional');
  });

  it('trains from a config file that selects it, and its batchMined events reach events.jsonl', async () => {
    const root = tempDir('lesionseg-ws-');
    mkdirSync(path.join(root, 'data', 'phantoms'), { recursive: true });
    writeFileSync(path.join(root, 'lp.json'), JSON.stringify(raw));
    const { deps } = fakeDeps(root);
    const r = await train(parseCli(['--config', 'lp.json', '--iterations', '5', '--out', 'runs/lp']), deps);
    expect(r.exitCode).toBe(0);
    const mined = readFileSync(path.join(root, 'runs', 'lp', 'events.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((e) => e['type'] === 'batchMined');
    expect(mined).toHaveLength(5);
    expect(mined[0]).toMatchObject({ strategy: 'loss-proportional', candidates: 64, selected: 16 });
    expect(mined[0]['meanSelectedLoss']).toBeGreaterThanOrEqual(mined[0]['meanCandidateLoss'] as number);
  });

  it('its options are validated like any other plugin', () => {
    expect(() => parseConfig({ ...raw, strategy: { type: 'loss-proportional', sharpness: 2 } })).toThrow(
      'strategy.sharpness: unknown option "sharpness" (known: candidates, positiveFraction, batchSize, scoreChunk, power, floor)',
    );
  });
});
