/**
 * A tiny schema for plugin options in config entries `{ "type": "ohem", ...options }`.
 * Validation happens up front, before any data is read, and every error names the config
 * path (`strategy.decay`) and what was wrong, including unknown keys with the known ones.
 */
export class ConfigError extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(`${path}: ${message}`);
    this.name = 'ConfigError';
  }
}

/** Parses one option value; `undefined` means "absent" (the spec applies its default or fails). */
export type OptionParser<T> = (value: unknown, path: string) => T;

export type OptionsSpec<O> = { [K in keyof O]-?: OptionParser<O[K]> };

const describe = (v: unknown): string => (typeof v === 'string' ? `"${v}"` : JSON.stringify(v) ?? String(v));

export interface NumberRule {
  default?: number;
  min?: number;
  max?: number;
  /** Exclusive lower bound. */
  above?: number;
  integer?: boolean;
}

export function num(rule: NumberRule = {}): OptionParser<number> {
  return (value, path) => {
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
  };
}

export function str<S extends string = string>(rule: { default?: S; oneOf?: readonly S[] } = {}): OptionParser<S> {
  return (value, path) => {
    if (value === undefined) {
      if (rule.default === undefined) throw new ConfigError(path, 'is required (a string)');
      return rule.default;
    }
    if (typeof value !== 'string') throw new ConfigError(path, `must be a string, got ${describe(value)}`);
    if (rule.oneOf && !rule.oneOf.includes(value as S)) {
      throw new ConfigError(path, `must be one of ${rule.oneOf.map(describe).join(', ')}, got ${describe(value)}`);
    }
    return value as S;
  };
}

export function bool(rule: { default?: boolean } = {}): OptionParser<boolean> {
  return (value, path) => {
    if (value === undefined) {
      if (rule.default === undefined) throw new ConfigError(path, 'is required (true or false)');
      return rule.default;
    }
    if (typeof value !== 'boolean') throw new ConfigError(path, `must be true or false, got ${describe(value)}`);
    return value;
  };
}

export function optional<T>(parser: OptionParser<T>): OptionParser<T | null> {
  return (value, path) => (value === undefined || value === null ? null : parser(value, path));
}

export function list<T>(item: OptionParser<T>, rule: { default?: T[]; minLength?: number } = {}): OptionParser<T[]> {
  return (value, path) => {
    if (value === undefined) {
      if (rule.default === undefined) throw new ConfigError(path, 'is required (a list)');
      return rule.default.slice();
    }
    if (!Array.isArray(value)) throw new ConfigError(path, `must be a list, got ${describe(value)}`);
    if (rule.minLength !== undefined && value.length < rule.minLength) {
      throw new ConfigError(path, `must have at least ${rule.minLength} entries`);
    }
    return value.map((v, i) => item(v, `${path}[${i}]`));
  };
}

/** A nested object with its own keys (unknown keys are errors here too). */
export function obj<O>(spec: OptionsSpec<O>, rule: { default?: O } = {}): OptionParser<O> {
  return (value, path) => {
    if (value === undefined) {
      if (rule.default === undefined) return parseOptions(spec, {}, path);
      return rule.default;
    }
    return parseOptions(spec, value, path);
  };
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
