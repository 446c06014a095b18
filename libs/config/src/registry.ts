import { ConfigError, isPlainObject, objectSchema, parseOptions, type InferOptions, type JsonSchema, type OptionParser, type OptionsSpec } from './options.ts';

/**
 * One plugin type that a config entry `{ "type": <type>, ...options }` can select (mmengine's
 * Registry, typed): `options` is the one schema of its options (it validates them, documents
 * them as JSON Schema, and their type is inferred from it), and `create` builds the plugin from
 * the validated options (defaults applied) and the dependencies the app hands it.
 */
export interface PluginDefinition<Deps, T, O = unknown> {
  type: string;
  /** One line for `--help` and docs. */
  summary: string;
  options: OptionsSpec<O>;
  create(options: O, deps: Deps): T;
}

/**
 * Writes a definition with its options type inferred from its spec (no interface written beside it):
 * `definePlugin({ type: 'x', summary, options: { k: num() }, create: (o, deps: D) => ... })`.
 */
export function definePlugin<S extends Record<string, OptionParser<unknown>>, Deps, T>(def: {
  type: string;
  summary: string;
  options: S;
  create(options: InferOptions<S>, deps: Deps): T;
}): PluginDefinition<Deps, T, InferOptions<S>> {
  return def as unknown as PluginDefinition<Deps, T, InferOptions<S>>;
}

/** A validated config entry: the type and its options with defaults applied. */
export interface PluginEntry<O = Record<string, unknown>> {
  type: string;
  options: O;
}

/**
 * The plugin types of one kind ("strategy", "lrSchedule", ...). Config entries are validated
 * here first, so an unknown type or key fails before training starts, with the config path in
 * the message; `create` then builds the object of a validated entry. `O` is the options type
 * its entries carry (one type, or a union; open registries keep the default record).
 */
export class PluginRegistry<Deps, T, O = Record<string, unknown>> {
  private readonly defs = new Map<string, PluginDefinition<Deps, T, never>>();

  constructor(readonly kind: string) {}

  register<P>(def: PluginDefinition<Deps, T, P>): this {
    if (this.defs.has(def.type)) throw new Error(`${this.kind} type "${def.type}" is registered twice`);
    this.defs.set(def.type, def as unknown as PluginDefinition<Deps, T, never>);
    return this;
  }

  has(type: string): boolean {
    return this.defs.has(type);
  }

  types(): string[] {
    return [...this.defs.keys()];
  }

  definition(type: string): PluginDefinition<Deps, T, O> {
    const def = this.defs.get(type);
    if (!def) throw new Error(`Unknown ${this.kind} "${type}". Known ${this.kind} types: ${this.knownList()}.`);
    return def as unknown as PluginDefinition<Deps, T, O>;
  }

  private knownList(): string {
    return this.types()
      .map((t) => `"${t}"`)
      .join(', ');
  }

  /** Validates a raw config entry. `path` is where it sits in the config, e.g. "strategy". */
  parse(raw: unknown, path: string = this.kind): PluginEntry<O> {
    if (!isPlainObject(raw)) throw new ConfigError(path, `must be an object like { "type": ${this.knownList()} , ... }`);
    const type = raw['type'];
    if (typeof type !== 'string' || type === '') {
      throw new ConfigError(`${path}.type`, `is required: one of ${this.knownList()}`);
    }
    const def = this.defs.get(type);
    if (!def) throw new ConfigError(`${path}.type`, `unknown ${this.kind} "${type}" (known: ${this.knownList()})`);
    const options = parseOptions(def.options as OptionsSpec<O>, raw, path, ['type']);
    return { type, options };
  }

  /** Builds the plugin of a validated entry. */
  create(entry: PluginEntry<O>, deps: Deps): T {
    return this.definition(entry.type).create(entry.options, deps);
  }

  /** The JSON Schema of one entry: one alternative per registered type. */
  jsonSchema(): JsonSchema {
    const alternatives = [...this.defs.values()].map((d) => ({
      ...objectSchema(d.options as Record<string, OptionParser<unknown>>, { type: { const: d.type } }, ['type']),
      title: d.type,
      description: d.summary,
    }));
    // An empty oneOf is not a valid schema; "not: {}" refuses every value, as parse does.
    if (alternatives.length === 0) return { not: {}, description: `no ${this.kind} types are registered (a plugin module may add some)` };
    return alternatives.length === 1 ? alternatives[0] : { oneOf: alternatives };
  }
}

/** The entry as it is written back into RUN_DIR/config.json: type first, then options. */
export function entryToJson(entry: PluginEntry<unknown>): Record<string, unknown> {
  return { type: entry.type, ...(entry.options as Record<string, unknown>) };
}
