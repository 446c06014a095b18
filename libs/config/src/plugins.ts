import { UserError } from '@lesionseg/events';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { bool, ConfigError, list, num, obj, optional, str } from './options.ts';
import { definePlugin, type PluginDefinition, type PluginRegistry } from './registry.ts';

/**
 * Plugin modules from the user's own files (mmengine's `custom_imports`, Lightning CLI's
 * `class_path`): a config's `"plugins": ["./my-strategy.ts"]` or `--plugin FILE`. A module
 * exports definitions under these names, each a list (or one definition):
 *
 *   export const strategies = [{ type, summary, options, create }];
 *
 * or a default export holding them, or a default function that receives `pluginKit` (the
 * option parsers) and returns them: a file outside the repository cannot import
 * `@lesionseg/config` at run time, so the kit is handed to it (`import type` is fine: types
 * are erased when tsx loads the file).
 */
export const PLUGIN_EXPORTS = {
  strategies: 'strategy',
  losses: 'loss',
  lrSchedules: 'lrSchedule',
  loggers: 'logger',
  hooks: 'hook',
  postProcessors: 'postProcessor',
} as const;

export type PluginKind = (typeof PLUGIN_EXPORTS)[keyof typeof PLUGIN_EXPORTS];

/** What a plugin module's default-export function receives. */
export const pluginKit = { num, str, bool, list, obj, optional, definePlugin, ConfigError };
export type PluginKit = typeof pluginKit;

// Definitions from user code: their option and dependency types are theirs to know.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDefinition = PluginDefinition<any, any, any>;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyRegistry = PluginRegistry<any, any, any>;

export interface PluginModule {
  /** Absolute path of the module. */
  file: string;
  definitions: Partial<Record<PluginKind, AnyDefinition[]>>;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function definitionsOf(file: string, exported: Record<string, unknown>): PluginModule['definitions'] {
  const out: PluginModule['definitions'] = {};
  for (const [name, kind] of Object.entries(PLUGIN_EXPORTS)) {
    const value = exported[name];
    if (value === undefined) continue;
    const defs = Array.isArray(value) ? value : [value];
    out[kind] = defs.map((d, i) => {
      const where = `plugin ${file}: ${name}${Array.isArray(value) ? `[${i}]` : ''}`;
      if (!isObject(d) || typeof d['type'] !== 'string' || d['type'] === '')
        throw new UserError(`${where} must be a definition { type: "<name>", summary, options, create }`);
      if (typeof d['create'] !== 'function') throw new UserError(`${where} ("${d['type']}") has no create(options, deps) function`);
      if (d['options'] !== undefined && !isObject(d['options'])) throw new UserError(`${where} ("${d['type']}"): options must be an object of option parsers`);
      return { summary: '', options: {}, ...d } as AnyDefinition;
    });
  }
  return out;
}

/**
 * Loads plugin modules: `files` relative to `baseDir` (the config file's folder, or the user's
 * folder for `--plugin`), each imported once (TypeScript through the tsx runtime the apps run
 * on). Throws an error naming the file when it is missing, fails to load, or exports nothing
 * recognisable.
 */
export async function loadPluginModules(files: readonly string[], baseDir: string): Promise<PluginModule[]> {
  const out: PluginModule[] = [];
  for (const given of files) {
    const file = path.resolve(baseDir, given);
    if (out.some((m) => m.file === file)) continue;
    if (!existsSync(file) || !statSync(file).isFile()) throw new UserError(`plugin ${file}: no such file ("${given}", relative to ${baseDir})`);
    let exported: Record<string, unknown>;
    try {
      exported = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
    } catch (e) {
      throw new UserError(`plugin ${file}: cannot load it: ${(e as Error).message}`, { cause: e });
    }
    let source: Record<string, unknown> = exported;
    const fallback = exported['default'];
    if (typeof fallback === 'function') source = { ...exported, ...((fallback as (kit: PluginKit) => unknown)(pluginKit) as Record<string, unknown>) };
    else if (isObject(fallback)) source = { ...exported, ...fallback };
    const definitions = definitionsOf(file, source);
    if (Object.keys(definitions).length === 0) {
      throw new UserError(`plugin ${file}: exports no plugin definitions (expected ${Object.keys(PLUGIN_EXPORTS).join(', ')}, or a default export of them)`);
    }
    out.push({ file, definitions });
  }
  return out;
}

/**
 * Registers the definitions of `modules` whose kind this app has (`registries`). A type that
 * exists already is an error naming both owners; so is a module with nothing this app uses.
 */
export function registerPlugins(modules: readonly PluginModule[], registries: Partial<Record<PluginKind, AnyRegistry>>): void {
  const owners = new Map<string, string>();
  for (const m of modules) {
    let used = 0;
    for (const [kind, defs] of Object.entries(m.definitions) as [PluginKind, AnyDefinition[]][]) {
      const registry = registries[kind];
      if (!registry) continue;
      for (const def of defs) {
        if (registry.has(def.type)) {
          const owner = owners.get(`${kind}:${def.type}`);
          throw new UserError(
            `plugin ${m.file}: ${kind} "${def.type}" clashes with ${owner ? `the one of plugin ${owner}` : `the built-in ${kind} of that name`}; give it another type name`,
          );
        }
        registry.register(def);
        owners.set(`${kind}:${def.type}`, m.file);
        used++;
      }
    }
    if (used === 0) {
      const wanted = Object.entries(PLUGIN_EXPORTS)
        .filter(([, kind]) => registries[kind])
        .map(([name]) => name);
      throw new UserError(`plugin ${m.file}: defines nothing this command uses (it takes ${wanted.join(', ')})`);
    }
  }
}
