/**
 * DI conventions on inversify 8, with explicit typed tokens and no decorator metadata.
 *
 * Only apps build a container (`new Container()`); libraries export tokens, plugin factories
 * and these helpers, which operate on a container handed to them. The lint rule forbids value
 * imports of inversify under libs/.
 *
 *   - singletons:  bindSingleton(c, TOKENS.Bus, () => createBus())
 *   - multi-bound: bindMulti(c, TOKENS.Observer, (c) => new ConsoleLogger(...)); resolveAll(c, TOKENS.Observer)
 *
 * Plugins chosen by a config's `type` (strategies, schedules, post-processors) are looked up in
 * libs/config's registries, which build them; the container only holds what was built.
 */
import type { Container } from 'inversify';
import type { Token } from './tokens.ts';
import { UserError } from './user-error.ts';

/** A plugin name from config that is not bound. Lists the names that are. */
export class UnknownPluginError extends UserError {
  constructor(
    readonly kind: string,
    readonly pluginName: string,
    readonly known: readonly string[],
  ) {
    super(`Unknown ${kind} "${pluginName}". Known ${kind} names: ${formatNames(known)}.`);
    this.name = 'UnknownPluginError';
  }
}

/** A config entry with no `type`, or a token nothing was bound to. */
export class MissingPluginError extends UserError {
  constructor(
    readonly kind: string,
    readonly known: readonly string[],
  ) {
    super(known.length > 0 ? `No ${kind} configured: set "type" to one of ${formatNames(known)}.` : `No ${kind} is bound in the container.`);
    this.name = 'MissingPluginError';
  }
}

function formatNames(names: readonly string[]): string {
  return names.length === 0 ? '(none)' : names.map((n) => `"${n}"`).join(', ');
}

/** Bind one shared instance (the bus, the clock, the resolved config). Created on first use. */
export function bindSingleton<T>(c: Container, t: Token<T>, create: (c: Container) => T): void {
  c.bind<T>(t)
    .toDynamicValue(() => create(c))
    .inSingletonScope();
}

/** Add one more plugin under a multi-bound token (observers, loggers). */
export function bindMulti<T>(c: Container, t: Token<T>, create: (c: Container) => T): void {
  c.bind<T>(t)
    .toDynamicValue(() => create(c))
    .inSingletonScope();
}

/** Resolve a single-bound token with an error that says what is missing. */
export function resolve<T>(c: Container, t: Token<T>): T {
  if (!c.isBound(t)) throw new MissingPluginError(t.description ?? 'service', []);
  return c.get<T>(t);
}

/** Every plugin bound to a multi-bound token; none bound is an empty list, not an error. */
export function resolveAll<T>(c: Container, t: Token<T>): T[] {
  return c.isBound(t) ? c.getAll<T>(t) : [];
}
