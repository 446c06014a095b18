import { UserError } from '@lesionseg/events';
/**
 * A tiny schema for plugin options in config entries `{ "type": "ohem", ...options }`.
 * Validation happens up front, before any data is read, and every error names the config
 * path (`strategy.decay`) and what was wrong, including unknown keys with the known ones.
 */
export class ConfigError extends UserError {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(`${path}: ${message}`);
    this.name = 'ConfigError';
  }
}

/** A JSON Schema fragment (draft 2020-12), as emitted for `--print-schema`. */
export type JsonSchema = Record<string, unknown>;

/**
 * Parses one option value; `undefined` means "absent" (the spec applies its default or fails).
 * `schema` describes the same rule as JSON Schema, and `required` says whether an absent
 * value is an error: the one definition both validates and documents the option.
 */
export interface OptionParser<T> {
  (value: unknown, path: string): T;
  readonly schema: JsonSchema;
  readonly required: boolean;
}

export type OptionsSpec<O> = { [K in keyof O]-?: OptionParser<O[K]> };

/** The options type a spec produces: write the spec once, infer the type from it. */
export type InferOptions<S> = { -readonly [K in keyof S]: S[K] extends OptionParser<infer T> ? T : never };

/** Attaches the JSON Schema and requiredness to a parse function. */
function parser<T>(parse: (value: unknown, path: string) => T, schema: JsonSchema, required: boolean): OptionParser<T> {
  return Object.assign(parse, { schema, required });
}

const withDefault = (schema: JsonSchema, value: unknown): JsonSchema => (value === undefined ? schema : { ...schema, default: value });

const describe = (v: unknown): string => (typeof v === 'string' ? `"${v}"` : (JSON.stringify(v) ?? String(v)));

export interface NumberRule {
  default?: number;
  min?: number;
  max?: number;
  /** Exclusive lower bound. */
  above?: number;
  integer?: boolean;
}

export function num(rule: NumberRule = {}): OptionParser<number> {
  const schema: JsonSchema = { type: rule.integer ? 'integer' : 'number' };
  if (rule.min !== undefined) schema['minimum'] = rule.min;
  if (rule.max !== undefined) schema['maximum'] = rule.max;
  if (rule.above !== undefined) schema['exclusiveMinimum'] = rule.above;
  return parser(
    (value, path) => {
      if (value === undefined) {
        if (rule.default === undefined) throw new ConfigError(path, 'is required (a number)');
        return rule.default;
      }
      if (typeof value !== 'number' || !Number.isFinite(value)) throw new ConfigError(path, `must be a finite number, got ${describe(value)}`);
      if (rule.integer && !Number.isInteger(value)) throw new ConfigError(path, `must be an integer, got ${value}`);
      if (rule.min !== undefined && value < rule.min) throw new ConfigError(path, `must be >= ${rule.min}, got ${value}`);
      if (rule.max !== undefined && value > rule.max) throw new ConfigError(path, `must be <= ${rule.max}, got ${value}`);
      if (rule.above !== undefined && value <= rule.above) throw new ConfigError(path, `must be > ${rule.above}, got ${value}`);
      return value;
    },
    withDefault(schema, rule.default),
    rule.default === undefined,
  );
}

export function str<S extends string = string>(rule: { default?: S; oneOf?: readonly S[] } = {}): OptionParser<S> {
  const schema: JsonSchema = rule.oneOf ? { type: 'string', enum: [...rule.oneOf] } : { type: 'string' };
  return parser(
    (value, path) => {
      if (value === undefined) {
        if (rule.default === undefined) throw new ConfigError(path, 'is required (a string)');
        return rule.default;
      }
      if (typeof value !== 'string') throw new ConfigError(path, `must be a string, got ${describe(value)}`);
      if (rule.oneOf && !rule.oneOf.includes(value as S)) {
        throw new ConfigError(path, `must be one of ${rule.oneOf.map(describe).join(', ')}, got ${describe(value)}`);
      }
      return value as S;
    },
    withDefault(schema, rule.default),
    rule.default === undefined,
  );
}

export function bool(rule: { default?: boolean } = {}): OptionParser<boolean> {
  return parser(
    (value, path) => {
      if (value === undefined) {
        if (rule.default === undefined) throw new ConfigError(path, 'is required (true or false)');
        return rule.default;
      }
      if (typeof value !== 'boolean') throw new ConfigError(path, `must be true or false, got ${describe(value)}`);
      return value;
    },
    withDefault({ type: 'boolean' }, rule.default),
    rule.default === undefined,
  );
}

export function optional<T>(inner: OptionParser<T>): OptionParser<T | null> {
  const { default: _default, ...schema } = inner.schema;
  return parser(
    (value, path) => (value === undefined || value === null ? null : inner(value, path)),
    { anyOf: [schema, { type: 'null' }], default: null },
    false,
  );
}

export function list<T>(item: OptionParser<T>, rule: { default?: T[]; minLength?: number } = {}): OptionParser<T[]> {
  const schema: JsonSchema = { type: 'array', items: item.schema };
  if (rule.minLength !== undefined) schema['minItems'] = rule.minLength;
  return parser(
    (value, path) => {
      if (value === undefined) {
        if (rule.default === undefined) throw new ConfigError(path, 'is required (a list)');
        return rule.default.slice();
      }
      if (!Array.isArray(value)) throw new ConfigError(path, `must be a list, got ${describe(value)}`);
      if (rule.minLength !== undefined && value.length < rule.minLength) {
        throw new ConfigError(path, `must have at least ${rule.minLength} entries`);
      }
      return value.map((v, i) => item(v, `${path}[${i}]`));
    },
    withDefault(schema, rule.default),
    rule.default === undefined,
  );
}

/** A nested object with its own keys (unknown keys are errors here too). */
export function obj<O>(spec: OptionsSpec<O>, rule: { default?: O } = {}): OptionParser<O> {
  return parser(
    (value, path) => {
      if (value === undefined) {
        if (rule.default === undefined) return parseOptions(spec, {}, path);
        return rule.default;
      }
      return parseOptions(spec, value, path);
    },
    withDefault(objectSchema(spec), rule.default),
    false,
  );
}

/** The JSON Schema of an options object: its properties, the required ones, no other key. */
export function objectSchema(spec: Record<string, OptionParser<unknown>>, extra: Record<string, JsonSchema> = {}, extraRequired: string[] = []): JsonSchema {
  const properties: Record<string, JsonSchema> = { ...extra };
  const required = [...extraRequired];
  for (const [key, p] of Object.entries(spec)) {
    properties[key] = p.schema;
    if (p.required) required.push(key);
  }
  return { type: 'object', properties, ...(required.length ? { required } : {}), additionalProperties: false };
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Validates `raw` against `spec`: every key must be known (`ignore` lists keys handled by the
 * caller, such as `type`), every value valid; absent values take their defaults.
 */
export function parseOptions<O>(spec: OptionsSpec<O>, raw: unknown, path: string, ignore: readonly string[] = []): O {
  if (!isPlainObject(raw)) throw new ConfigError(path, `must be an object, got ${describe(raw)}`);
  const known = Object.keys(spec);
  for (const key of Object.keys(raw)) {
    if (ignore.includes(key)) continue;
    if (!known.includes(key)) {
      throw new ConfigError(
        path === '' ? key : `${path}.${key}`,
        `unknown option "${key}"${known.length ? ` (known: ${known.join(', ')})` : ' (this entry takes no options)'}`,
      );
    }
  }
  const out = {} as O;
  for (const key of known as (keyof O & string)[]) {
    out[key] = spec[key](raw[key], path === '' ? key : `${path}.${key}`);
  }
  return out;
}
