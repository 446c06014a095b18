import { describe, expect, it } from 'vitest';
import { builtinStrategies, FixedOversamplingStrategy, OhemStrategy } from '../src/index.ts';
import { ConfigError, entryToJson } from '@lesionseg/config';
import { FakeSource, TableScorer } from './fakes.ts';

const deps = { source: new FakeSource(), scorer: new TableScorer(() => 0) };

describe('strategy registry (config type -> plugin)', () => {
  const registry = builtinStrategies();

  it('knows the shipped strategies and applies defaults', () => {
    expect(registry.types()).toEqual(['ohem', 'oversample', 'loss-proportional']);
    const entry = registry.parse({ type: 'ohem', candidates: 64 });
    expect(entry).toEqual({ type: 'ohem', options: { candidates: 64, positiveFraction: 0.3, batchSize: 32, scoreChunk: 32 } });
    expect(registry.create(entry, deps)).toBeInstanceOf(OhemStrategy);
    expect(registry.create(registry.parse({ type: 'oversample', p: 0.1 }), deps)).toBeInstanceOf(FixedOversamplingStrategy);
    expect(entryToJson(entry)).toEqual({ type: 'ohem', candidates: 64, positiveFraction: 0.3, batchSize: 32, scoreChunk: 32 });
  });

  it('an unknown type names it and lists the known ones', () => {
    expect(() => registry.parse({ type: 'ohme' })).toThrow(ConfigError);
    expect(() => registry.parse({ type: 'ohme' })).toThrow('strategy.type: unknown strategy "ohme" (known: "ohem", "oversample", "loss-proportional")');
    expect(() => registry.parse({ p: 0.1 })).toThrow('strategy.type: is required');
  });

  it('an unknown key names it with its config path and lists the known keys', () => {
    expect(() => registry.parse({ type: 'ohem', decy: 0.9 })).toThrow(
      'strategy.decy: unknown option "decy" (known: candidates, positiveFraction, batchSize, scoreChunk)',
    );
    expect(() => registry.parse({ type: 'oversample', p: 1.5 })).toThrow('strategy.p: must be <= 1, got 1.5');
    expect(() => registry.parse({ type: 'oversample' })).toThrow('strategy.p: is required');
    expect(() => registry.parse({ type: 'ohem', batchSize: '32' })).toThrow('strategy.batchSize: must be a finite number, got "32"');
  });
});
