import { describe, expect, it } from 'vitest';
import { configToJson, parseBudget, parseConfig } from '../src/config/config.ts';
import { presetConfig, presetNames, PRESETS } from '../src/config/presets.ts';

describe('trainer config', () => {
  it('ships the six comparison presets, the paper model and quick; all validate', () => {
    expect(presetNames()).toEqual(['ohem-m0', 'ohem-m0.9', 'ohem-m0.99', 'oversample-p0', 'oversample-p0.1', 'oversample-p0.5', 'paper', 'quick']);
    for (const name of presetNames()) expect(() => parseConfig(presetConfig(name))).not.toThrow();
  });

  it('the comparison presets differ only in strategy, EMA decay and name (same budget, model, schedule)', () => {
    const base = parseConfig(presetConfig('ohem-m0.9'));
    for (const name of ['ohem-m0', 'ohem-m0.99', 'oversample-p0', 'oversample-p0.1', 'oversample-p0.5']) {
      const c = parseConfig(presetConfig(name));
      expect(c.budget).toEqual({ type: 'time', options: { duration: '3h' } });
      expect(c.model).toEqual(base.model);
      expect(c.lrSchedule).toEqual(base.lrSchedule);
      expect(c.data).toEqual(base.data);
    }
    expect(parseConfig(presetConfig('ohem-m0.99')).ema.options).toEqual({ decay: 0.99 });
    expect(parseConfig(presetConfig('oversample-p0.1')).strategy).toEqual({ type: 'oversample', options: { p: 0.1, batchSize: 32 } });
    expect(base.strategy.options).toEqual({ candidates: 128, positiveFraction: 0.3, batchSize: 32, scoreChunk: 32 });
    expect(parseBudget(base)).toEqual({ kind: 'time', ms: 3 * 3600_000 });
    const paper = parseConfig(presetConfig('paper'));
    expect(parseBudget(paper)).toEqual({ kind: 'iterations', iterations: 30000 });
    expect(paper.validation).toBeNull();
    expect(Object.keys(PRESETS.quick.summary).length).toBeGreaterThan(0);
  });

  it('the resolved config round-trips through config.json', () => {
    const c = parseConfig(presetConfig('quick'));
    expect(parseConfig(JSON.parse(JSON.stringify(configToJson(c))))).toEqual(c);
  });

  it('errors name the unknown key or type and its place in the config', () => {
    const q = () => presetConfig('quick');
    expect(() => parseConfig({ ...q(), strategyy: {} })).toThrow('strategyy: unknown config key "strategyy"');
    expect(() => parseConfig({ ...q(), strategy: { type: 'hardest' } })).toThrow(
      'strategy.type: unknown strategy "hardest" (known: "ohem", "oversample", "loss-proportional")',
    );
    expect(() => parseConfig({ ...q(), strategy: { type: 'ohem', momentum: 0.9 } })).toThrow('strategy.momentum: unknown option "momentum"');
    expect(() => parseConfig({ ...q(), ema: { type: 'ema', decay: 1.2 } })).toThrow('ema.decay: must be <= 1, got 1.2');
    expect(() => parseConfig({ ...q(), loggers: [{ type: 'progress' }, { type: 'csv' }] })).toThrow('loggers[1].type: unknown logger "csv"');
    expect(() => parseConfig({ ...q(), loss: { type: 'bce', smooth: 1 } })).toThrow('loss.smooth: unknown option "smooth" (this entry takes no options)');
    expect(() => parseConfig({ ...q(), budget: { type: 'time', duration: '3 hours' } })).toThrow('budget.duration: Cannot parse duration "3 hours"');
    expect(() => parseConfig({ ...q(), validation: { type: 'dice' } })).toThrow('validation: set everySeconds or everyIterations');
    expect(() => parseConfig({ ...q(), backend: 'gpu' })).toThrow(
      'backend: must be one of "auto", "tensorflow-gpu", "webgpu", "tensorflow", "wasm", "cpu", got "gpu"',
    );
    const { strategy: _s, ...noStrategy } = q();
    expect(() => parseConfig(noStrategy)).toThrow('strategy: is required');
  });
});
