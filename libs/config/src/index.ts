export {
  ConfigError,
  num,
  str,
  bool,
  list,
  obj,
  optional,
  parseOptions,
  objectSchema,
  isPlainObject,
  type InferOptions,
  type JsonSchema,
  type OptionParser,
  type OptionsSpec,
  type NumberRule,
} from './options.ts';
export { PluginRegistry, definePlugin, entryToJson, type PluginDefinition, type PluginEntry } from './registry.ts';
export { TrainingTimer, systemClock, budgetProgress, budgetExhausted, parseDuration, formatDuration, type Clock } from './budget.ts';
export { loadPluginModules, registerPlugins, pluginKit, PLUGIN_EXPORTS, type PluginKind, type PluginKit, type PluginModule } from './plugins.ts';
