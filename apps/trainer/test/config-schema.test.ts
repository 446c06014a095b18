/**
 * The config's JSON Schema is generated from the definitions that validate it (--print-schema);
 * docs/config.schema.json is the committed copy. An independent validator (Ajv, JSON Schema
 * 2020-12) accepts every preset and refuses what parseConfig refuses.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { configToJson, parseConfig } from '../src/config/config.ts';
import { printSchema } from '../src/config/print-schema.ts';
import { presetConfig, presetNames } from '../src/config/presets.ts';
import { configJsonSchema } from '../src/config/schema.ts';
import { ROOT } from './process-harness.ts';
import { tempDir } from './harness.ts';

const COMMITTED = path.join(ROOT, 'docs', 'config.schema.json');

describe('config JSON Schema', () => {
  it('docs/config.schema.json is the generated schema (regenerate: trainer --print-schema > docs/config.schema.json)', async () => {
    expect(JSON.parse(readFileSync(COMMITTED, 'utf8'))).toEqual(configJsonSchema());
    expect(`${await printSchema([], { INIT_CWD: ROOT })}\n`).toBe(readFileSync(COMMITTED, 'utf8'));
  });

  it('accepts every preset, resolved or raw, and refuses unknown types, keys and out-of-range values', () => {
    const validate = new Ajv2020({ strict: false }).compile(configJsonSchema());
    for (const name of presetNames()) {
      expect(validate(presetConfig(name)), `${name} ${JSON.stringify(validate.errors)}`).toBe(true);
      expect(validate(configToJson(parseConfig(presetConfig(name)))), name).toBe(true);
    }
    const q = presetConfig('quick');
    for (const bad of [
      { ...q, strategy: { type: 'hardest' } },
      { ...q, strategy: { type: 'ohem', momentum: 0.9 } },
      { ...q, ema: { type: 'ema', decay: 1.2 } },
      { ...q, loggers: [{ type: 'csv' }] },
      { ...q, strategyy: {} },
      { ...q, budget: { type: 'iterations' } },
    ]) {
      expect(validate(bad), JSON.stringify(bad)).toBe(false);
      expect(() => parseConfig(bad)).toThrow();
    }
  });

  it('--print-schema with --plugin includes the plugin types', async () => {
    const dir = tempDir();
    writeFileSync(
      path.join(dir, 'sched.ts'),
      `export const lrSchedules = [{ type: 'constant', summary: 'one rate', options: {}, create: () => ({ lrAt: () => 1e-3 }) }];\n`,
    );
    const schema = JSON.parse(await printSchema(['sched.ts'], { INIT_CWD: dir })) as { properties: { lrSchedule: { oneOf: { title: string }[] } } };
    expect(schema.properties.lrSchedule.oneOf.map((s) => s.title)).toEqual(['step', 'constant']);
  });
});
