import { ConfigError, isPlainObject, parseOptions, type OptionsSpec } from './options.ts';

/**
 * One plugin type that a config entry `{ "type": <type>, ...options }` can select.
 * `create` receives the validated options (defaults applied) and the plugin's dependencies,
 * which the app resolves from its DI container.
 */
export interface PluginDefinition<Deps, T, O = unknown> {
  type: string;
  /** One line for `--help` and docs. */
  summary: string;
  options: OptionsSpec<O>;
  create(options: O, deps: Deps): T;
}

/** A validated config entry: the type and its options with defaults applied. */
export interface PluginEntry<O = Record<string, unknown>> {
  type: string;
  options: O;
}

/**
 * The plugin types of one kind ("strategy", "lrSchedule", ...). The app binds each registered
 * type by name in its container and validates config entries here first, so an unknown type or
 * key fails before training starts, with the config path in the message.
 */
export class PluginRegistry<Deps, T> {
  private readonly defs = new Map<string, PluginDefinition<Deps, T, never>>();

  constructor(readonly kind: string) {}

  register<O>(def: PluginDefinition<Deps, T, O>): this {
    if (this.defs.has(def.type)) throw new Error(`${this.kind} type "${def.type}" is registered twice`);
    this.defs.set(def.type, def as unknown as PluginDefinition<Deps, T, never>);
    return this;
  }

  types(): string[] {
    return [...this.defs.keys()];
  }

  definition(type: string): PluginDefinition<Deps, T, unknown> {
    const def = this.defs.get(type);
    if (!def) throw new Error(`Unknown ${this.kind} "${type}". Known ${this.kind} types: ${this.knownList()}.`);
    return def as unknown as PluginDefinition<Deps, T, unknown>;
  }

  private knownList(): string {
    return this.types()
      .map((t) => `"${t}"`)
      .join(', ');
  }

  /** Validates a raw config entry. `path` is where it sits in the config, e.g. "strategy". */
  parse(raw: unknown, path: string = this.kind): PluginEntry {
    if (!isPlainObject(raw)) throw new ConfigError(path, `must be an object like { "type": ${this.knownList()} , ... }`);
    const type = raw['type'];
    if (typeof type !== 'string' || type === '') {
      throw new ConfigError(`${path}.type`, `is required: one of ${this.knownList()}`);
    }
    const def = this.defs.get(type);
    if (!def) throw new ConfigError(`${path}.type`, `unknown ${this.kind} "${type}" (known: ${this.knownList()})`);
    const options = parseOptions(def.options as OptionsSpec<Record<string, unknown>>, raw, path, ['type']);
    return { type, options };
  }

  /** Builds the plugin of a validated entry. */
  create(entry: PluginEntry, deps: Deps): T {
    return (this.definition(entry.type) as PluginDefinition<Deps, T, Record<string, unknown>>).create(entry.options, deps);
  }
}

/** The entry as it is written back into RUN_DIR/config.json: type first, then options. */
export function entryToJson(entry: PluginEntry): Record<string, unknown> {
  return { type: entry.type, ...(entry.options as Record<string, unknown>) };
}
