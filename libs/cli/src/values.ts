import { isAbsolute, resolve } from 'node:path';
import { UsageError } from './errors.ts';
import type { OptionValues } from './spec.ts';

/** Typed reads of parsed option values, with the checks every command needs. */
export function stringOption(values: OptionValues, name: string): string | null {
  const v = values[name];
  if (Array.isArray(v)) return v.length > 0 ? v[v.length - 1] : null;
  return typeof v === 'string' ? v : null;
}

export function requiredString(values: OptionValues, name: string, what = ''): string {
  const v = stringOption(values, name);
  if (v === null || v === '') throw new UsageError(`--${name}${what ? ` ${what}` : ''} is required`);
  return v;
}

export function listOption(values: OptionValues, name: string): string[] {
  const v = values[name];
  return Array.isArray(v) ? v : typeof v === 'string' ? [v] : [];
}

/** A path option made absolute against the user's folder; null when absent. */
export function pathOption(values: OptionValues, name: string, cwd: string, required = false): string | null {
  const v = stringOption(values, name);
  if (v === null || v === '') {
    if (required) throw new UsageError(`--${name} is required`);
    return null;
  }
  return isAbsolute(v) ? v : resolve(cwd, v);
}

/** A non-negative integer option; `positive` excludes 0. Absent: `fallback`. */
export function intOption(values: OptionValues, name: string, fallback: number | null, positive = false): number | null {
  const v = values[name];
  if (v === undefined) return fallback;
  if (typeof v !== 'string' || !(positive ? /^[1-9]\d*$/ : /^\d+$/).test(v)) {
    throw new UsageError(`--${name} needs a ${positive ? 'positive' : 'non-negative'} integer, got "${String(v)}"`);
  }
  return Number(v);
}

/** A finite number option accepted by `ok`; absent: `fallback`. */
export function numberOption(values: OptionValues, name: string, fallback: number, ok: (n: number) => boolean = () => true, what = 'a number'): number {
  const v = stringOption(values, name);
  if (v === null) return fallback;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || !ok(n)) throw new UsageError(`--${name} must be ${what}, got ${JSON.stringify(v)}`);
  return n;
}

/** One of a fixed list of names. */
export function choiceOption<T extends string>(values: OptionValues, name: string, choices: readonly T[], fallback: T): T {
  const v = stringOption(values, name) ?? fallback;
  if (!(choices as readonly string[]).includes(v)) throw new UsageError(`--${name} must be one of ${choices.join(', ')}, got "${v}"`);
  return v as T;
}
