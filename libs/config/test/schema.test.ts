import { describe, expect, it } from 'vitest';
import { definePlugin, list, num, obj, optional, parseOptions, PluginRegistry, str, type InferOptions } from '../src/index.ts';

describe('one spec validates, documents (JSON Schema) and types the options', () => {
  const spec = {
    rate: num({ default: 1e-3, above: 0 }),
    steps: num({ integer: true, min: 1 }),
    mode: str({ default: 'ema', oneOf: ['ema', 'raw'] as const }),
    stride: optional(num({ integer: true, min: 1 })),
    widths: list(num({ integer: true, min: 1 }), { default: [16, 32], minLength: 1 }),
    milestone: obj({ at: num({ min: 0, max: 1 }) }, { default: { at: 0.5 } }),
  };

  it('each parser carries the JSON Schema of its own rule, defaults included', () => {
    expect(spec.rate.schema).toEqual({ type: 'number', exclusiveMinimum: 0, default: 1e-3 });
    expect(spec.steps.schema).toEqual({ type: 'integer', minimum: 1 });
    expect(spec.mode.schema).toEqual({ type: 'string', enum: ['ema', 'raw'], default: 'ema' });
    expect(spec.stride.schema).toEqual({ anyOf: [{ type: 'integer', minimum: 1 }, { type: 'null' }], default: null });
    expect(spec.widths.schema).toEqual({ type: 'array', items: { type: 'integer', minimum: 1 }, minItems: 1, default: [16, 32] });
    expect(spec.milestone.schema).toMatchObject({
      type: 'object',
      properties: { at: { type: 'number', minimum: 0, maximum: 1 } },
      required: ['at'],
      additionalProperties: false,
    });
    expect([spec.rate.required, spec.steps.required, spec.stride.required]).toEqual([false, true, false]);
  });

  it('a registry emits one alternative per type, with "type" as a constant and unknown keys refused', () => {
    const r = new PluginRegistry<void, string, InferOptions<typeof spec>>('thing')
      .register(definePlugin({ type: 'a', summary: 'first', options: spec, create: (o) => `${o.mode}:${o.steps}` }))
      .register(definePlugin({ type: 'b', summary: 'second', options: {}, create: () => 'b' }));
    const schema = r.jsonSchema() as { oneOf: Record<string, unknown>[] };
    expect(schema.oneOf.map((s) => s['title'])).toEqual(['a', 'b']);
    expect(schema.oneOf[0]).toMatchObject({
      description: 'first',
      required: ['type', 'steps'],
      additionalProperties: false,
      properties: { type: { const: 'a' } },
    });
    expect(schema.oneOf[1]).toEqual({
      type: 'object',
      title: 'b',
      description: 'second',
      properties: { type: { const: 'b' } },
      required: ['type'],
      additionalProperties: false,
    });
    // and the same definition builds from the validated, defaulted options
    expect(r.create(r.parse({ type: 'a', steps: 3 }))).toBe('ema:3');
    expect(parseOptions(spec, { steps: 2 }, 'x')).toEqual({ rate: 1e-3, steps: 2, mode: 'ema', stride: null, widths: [16, 32], milestone: { at: 0.5 } });
  });
});
